import { startRedis } from '@promfleet/testkit';
import { setTimeout as sleep } from 'node:timers/promises';

import { MemoryEndpointStore, RedisEndpointStore, type EndpointStore } from '../../lib/hub-endpoints.ts';
import { round, type Benchmark } from '../../harness.ts';
import { load, type LoadResult } from './load.ts';
import { endpointSets, ENDPOINTS_PATH, serveBytes, serveEndpointsApi } from './servers.ts';

const CLUSTERS = 100;

type Row = Record<string, string | number>;

async function filled(store: EndpointStore): Promise<EndpointStore> {
  await store.start();
  // As the hub fills it: everything at once (a store serves nothing before that).
  await store.replaceAll(endpointSets(CLUSTERS));
  // The Redis store's reader side catches up through pub/sub.
  for (let i = 0; i < 100 && store.snapshot().items.length < CLUSTERS; i++) await sleep(50);
  if (store.snapshot().items.length !== CLUSTERS) throw new Error(`the store holds ${String(store.snapshot().items.length)} sets, not ${String(CLUSTERS)}`);
  return store;
}

const better = (a: LoadResult | undefined, b: LoadResult) => (a && a.requestsPerSecond >= b.requestsPerSecond ? a : b);

/**
 * The best of `rounds` runs of each, alternating so a disturbance hits both sides alike; on a
 * shared machine the best run is the least disturbed one.
 */
async function bestOfEach(rounds: number, first: () => Promise<LoadResult>, second: () => Promise<LoadResult>): Promise<[LoadResult, LoadResult]> {
  let a: LoadResult | undefined;
  let b: LoadResult | undefined;
  for (let i = 0; i < rounds; i++) {
    a = better(a, await first());
    b = better(b, await second());
  }
  if (!a || !b) throw new Error('no run');
  return [a, b];
}

export const endpointsApiBenchmark: Benchmark = {
  name: 'endpoints-api',
  description: `GET ${ENDPOINTS_PATH} with ${String(CLUSTERS)} PrometheusClusters' records (memory and Redis stores, 200 and 304) against a bare route sending the same bytes`,
  async run({ smoke, log }) {
    const seconds = smoke ? 1 : 10;
    const rounds = smoke ? 1 : 3;
    const connections = 32;
    await using redis = await startRedis();
    const stores: [string, EndpointStore][] = [
      ['memory', await filled(new MemoryEndpointStore())],
      ['redis', await filled(new RedisEndpointStore({ url: redis.url }))],
    ];
    const rows: Row[] = [];
    try {
      for (const [mode, store] of stores) {
        const api = await serveEndpointsApi(store);
        const response = await fetch(`${api.url}${ENDPOINTS_PATH}`);
        const body = await response.text();
        const etag = response.headers.get('etag') ?? '';
        const bare = await serveBytes(body, etag);
        try {
          for (const [path, headers] of [
            ['200 (full body)', {}],
            ['304 (If-None-Match)', { 'if-none-match': etag }],
          ] as const) {
            log(`${mode}, ${path}: ${String(rounds)} × ${String(seconds)} s on each server`);
            const [apiResult, bareResult] = await bestOfEach(
              rounds,
              () => load(`${api.url}${ENDPOINTS_PATH}`, { seconds, connections, headers }),
              () => load(`${bare.url}${ENDPOINTS_PATH}`, { seconds, connections, headers }),
            );
            rows.push({
              store: mode,
              response: path,
              'API req/s': Math.round(apiResult.requestsPerSecond),
              'bare req/s': Math.round(bareResult.requestsPerSecond),
              'API / bare req/s': round(apiResult.requestsPerSecond / bareResult.requestsPerSecond, 2),
              'API p99 (ms)': apiResult.p99Ms,
              'bare p99 (ms)': bareResult.p99Ms,
              'bytes / response': Math.round(apiResult.bytesPerRequest),
              statuses: apiResult.statuses,
            });
          }
        } finally {
          await Promise.all([api.close(), bare.close()]);
        }
      }
    } finally {
      await Promise.all(stores.map(([, store]) => store.stop()));
    }
    return [
      {
        title: `Endpoints API: GET ${ENDPOINTS_PATH}, ${String(CLUSTERS)} PrometheusClusters (2 records × 4 targets each), ${String(connections)} connections, best of ${String(rounds)} × ${String(seconds)} s`,
        columns: ['store', 'response', 'API req/s', 'bare req/s', 'API / bare req/s', 'API p99 (ms)', 'bare p99 (ms)', 'bytes / response', 'statuses'],
        rows,
        notes: [
          "API: the hub's endpoints API (registerEndpointsApi on the kit's fastify server) over the store, in this process; autocannon in a worker thread.",
          'bare: the same fastify server with one route sending the bytes the API sent (same ETag and 304 handling), nothing computed per request.',
          'Both stores serve reads from a local copy; Redis only feeds that copy, so the two modes should match.',
        ],
      },
    ];
  },
};
