import { setTimeout as sleep } from 'node:timers/promises';

import type { DNSRecord } from '@promfleet/api';
import { PrometheusClusters, PrometheusReplicas } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { parseMetricsText, startRedis } from '@promfleet/testkit';

import { round, type Benchmark } from '../../harness.ts';
import { BENCH_NAMESPACE, BenchFleet } from '../../lib/bench-fleet.ts';
import { hubChartMemoryLimitBytes } from '../../lib/hub-chart.ts';
import { RedisEndpointStore } from '../../lib/hub-endpoints.ts';
import { benchCluster, MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { mib, rssOf } from '../../lib/process-memory.ts';
import { controllerMetrics } from '../../lib/scrape.ts';
import { SlowWatcher } from '../../lib/slow-watcher.ts';

const TIMEOUT_MS = 300_000;

/** One change's records: `count` distinct IPv4 targets, different for every `seed`, so each put is a change. */
function records(seed: number, count: number): DNSRecord[] {
  const targets = Array.from({ length: count }, (_, i) => `10.${String(seed % 250)}.${String(Math.floor(i / 250))}.${String(i % 250)}`);
  return [{ dnsName: 'query.load.example.com', recordType: 'A', targets, ttl: 30 }];
}

/** The hub's current endpoints revision, from its API's ETag. */
async function servedRevision(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/endpoints`, { signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return /^"(.+)"$/.exec(response.headers.get('etag') ?? '')?.[1] ?? '';
}

/** A counter or gauge of the hub (0 before its first sample), or undefined when this hub does not export it. */
async function hubMetric(url: string, name: string): Promise<number | undefined> {
  const text = await controllerMetrics(url);
  if (!text.includes(`# HELP ${name} `)) return undefined;
  return parseMetricsText(text, [name]).reduce((sum, sample) => sum + sample.value, 0);
}

/** Samples a process's RSS until stopped, keeping the peak. */
function peakRSS(pid: number): { stop(): Promise<number> } {
  let peak = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      peak = Math.max(peak, await rssOf(pid));
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return Math.max(peak, await rssOf(pid));
    },
  };
}

/**
 * The time from creating a PrometheusCluster until the hub has created its replica in the
 * member and written its status: the hub reconciling while the endpoints API is under load.
 */
async function reconcileMs(bench: BenchFleet, name: string): Promise<number> {
  const clusters = await new Observer(new ResourceClient(bench.hub, PrometheusClusters), { namespace: BENCH_NAMESPACE }).start();
  const admin = bench.admins[0];
  const member = bench.members[0];
  if (!admin || !member) throw new Error('no member');
  const replicas = await new Observer(new ResourceClient(admin, PrometheusReplicas), { namespace: member.namespace }).start();
  try {
    const started = performance.now();
    await new ResourceClient(bench.hub, PrometheusClusters).create(benchCluster(name));
    const [created, status] = await Promise.all([
      replicas.until(`replica ${name} in the member`, (cache) => cache.get(`${member.namespace}/${name}`) !== undefined, TIMEOUT_MS),
      clusters.until(`status of ${name}`, (cache) => cache.get(`${BENCH_NAMESPACE}/${name}`)?.status?.selected === 1, TIMEOUT_MS),
    ]);
    return Math.round(Math.max(created, status) - started);
  } finally {
    await Promise.all([clusters.cache.stop(), replicas.cache.stop()]);
  }
}

export const slowWatchersBenchmark: Benchmark = {
  name: 'slow-watchers',
  description: 'hub RSS while SSE watchers that never read follow a stream of large endpoint changes, and how long a reconcile takes meanwhile',
  async run({ smoke, log }) {
    const chartLimitMiB = (await hubChartMemoryLimitBytes()) / 2 ** 20;
    const watcherCount = smoke ? 10 : 200;
    const changeCount = smoke ? 20 : 300;
    const targetsPerChange = smoke ? 100 : 2000;
    await using redis = await startRedis();
    await using bench = await BenchFleet.start({ memberServers: 1, operators: false });
    await bench.join(1, MEMBER_LABELS);
    const hub = await bench.startHub([`--redis-url=${redis.url}`]);
    const writer = new RedisEndpointStore({ url: redis.url });
    await writer.start();
    const watchers: SlowWatcher[] = [];
    try {
      const idleReconcile = await reconcileMs(bench, 'idle');
      await sleep(2_000);
      const before = await rssOf(hub.process.pid);
      log(`hub RSS ${String(mib(before))} MiB; opening ${String(watcherCount)} watchers that never read`);
      for (let i = 0; i < watcherCount; i++) watchers.push(await SlowWatcher.open(hub.port));
      const sampler = peakRSS(hub.process.pid);
      const bytes = JSON.stringify(records(0, targetsPerChange)).length;
      log(`pushing ${String(changeCount)} changes of ${String(Math.round(bytes / 1024))} KiB through Redis while creating a PrometheusCluster`);
      const [loadReconcile] = await Promise.all([
        reconcileMs(bench, 'under-load'),
        (async () => {
          for (let i = 1; i <= changeCount; i++)
            await writer.put({ namespace: 'load', name: `set-${String(i % 10)}`, endpoints: records(i, targetsPerChange) });
        })(),
      ]);
      // The hub has taken in every change once its API serves what the writer reads from Redis
      // (revisions name the content, so both hold the same records).
      const deadline = Date.now() + TIMEOUT_MS;
      while ((await servedRevision(hub.url)) !== writer.snapshot().revision) {
        if (Date.now() > deadline) throw new Error(`the hub never served revision ${writer.snapshot().revision}`);
        await sleep(200);
      }
      await sleep(2_000);
      const peak = await sampler.stop();
      const dropped = await hubMetric(hub.url, 'promfleet_endpoints_watchers_dropped_total');
      const healthy = (await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(10_000) })).ok;
      log(`peak RSS ${String(mib(peak))} MiB; reconcile ${String(loadReconcile)} ms under load (${String(idleReconcile)} ms idle)`);
      for (const watcher of watchers.splice(0)) watcher.close();
      await sleep(2_000);
      const after = await rssOf(hub.process.pid);
      return [
        {
          title: `Slow watchers: ${String(watcherCount)} SSE clients that never read, ${String(changeCount)} endpoint changes of ${String(Math.round(bytes / 1024))} KiB (${String(targetsPerChange)} targets) through Redis`,
          columns: [
            'watchers',
            'changes',
            'KiB / change',
            'RSS before (MiB)',
            'RSS peak (MiB)',
            'growth (MiB)',
            'growth / chart limit',
            'watchers cut',
            'RSS after they left (MiB)',
            'reconcile idle (ms)',
            'reconcile under load (ms)',
            '/healthz',
          ],
          rows: [
            {
              watchers: watcherCount,
              changes: changeCount,
              'KiB / change': round(bytes / 1024),
              'RSS before (MiB)': mib(before),
              'RSS peak (MiB)': mib(peak),
              'growth (MiB)': mib(peak - before),
              'growth / chart limit': round((peak - before) / 2 ** 20 / chartLimitMiB, 2),
              'watchers cut': dropped ?? 'n/a',
              'RSS after they left (MiB)': mib(after),
              'reconcile idle (ms)': idleReconcile,
              'reconcile under load (ms)': loadReconcile,
              '/healthz': healthy ? 200 : 'failing',
            },
          ],
          notes: [
            "The hub runs as a process with --redis-url; the changes are written to Redis by a second writer, so the hub's endpoint store and every watcher receive them as they would the hub's own.",
            'A watcher is a raw TCP connection that sends the request and pauses: kernel buffers fill first, then whatever the hub keeps queued for it.',
            `growth: peak RSS (sampled every 100 ms) minus RSS before the watchers connected; the chart limits a hub replica to ${String(chartLimitMiB)} MiB.`,
            'reconcile: PrometheusCluster created → its replica exists in the member and the hub wrote its status; "under load" runs while the changes are pushed.',
          ],
        },
      ];
    } finally {
      for (const watcher of watchers) watcher.close();
      await writer.stop();
    }
  },
};
