import { type MemberEntry, PrometheusClusters, type PrometheusCluster } from '@promfleet/api';
import { KubeClient, Namespaces, ResourceClient } from '@promfleet/kube/client';
import { installCRDs, startFleet } from '@promfleet/testkit';

import { percentile, round, type Benchmark, type BenchmarkResult } from '../../harness.ts';
import { BENCH_NAMESPACE } from '../../lib/bench-fleet.ts';
import { benchCluster } from '../../lib/objects.ts';

type Status = NonNullable<PrometheusCluster['status']>;
type DNSRecord = NonNullable<Status['endpoints']>[number];

const NAME = 'status-write';

/** One member's entry and weighted record, as the hub writes them; `round` moves its address. */
function entry(i: number, round: number): MemberEntry {
  return {
    name: `member-${String(i).padStart(4, '0')}`,
    phase: 'Running',
    ready: true,
    observedGeneration: 1,
    queryHost: `query.member-${String(i)}.bench.example.com`,
    addresses: [address(i, round)],
    lastSeen: new Date(1_700_000_000_000 + round * 1000).toISOString(),
    stale: false,
    revision: `${NAME}-0123456789`,
  };
}

function record(i: number, round: number): DNSRecord {
  return {
    dnsName: `query.${NAME}.bench.example.com`,
    recordType: 'A',
    targets: [address(i, round)],
    ttl: 30,
    setIdentifier: `member-${String(i).padStart(4, '0')}`,
    routingPolicy: 'weighted',
    weight: 1,
  };
}

const address = (i: number, round: number) => `10.${String(i >> 8)}.${String(i & 255)}.${String(1 + (round % 250))}`;

/** The status of `members` members in which member `changed` has moved on to `round`. */
function status(members: number, changed: number, round: number): Status {
  const at = (i: number) => (i === changed ? round : 0);
  return {
    observedGeneration: 1,
    phase: 'Ready',
    clusters: Array.from({ length: members }, (_, i) => entry(i, at(i))),
    endpoints: Array.from({ length: members }, (_, i) => record(i, at(i))),
  };
}

/**
 * B8: what one PrometheusCluster status write costs the API server as the fleet grows, by the
 * kind of write: server-side apply of the whole status (what the hub sends), a merge patch of the
 * whole status, and a JSON patch that replaces only the member that changed. The floor under B7's
 * churn latency: however the hub batches, every write of a 1000-member status is paid whole.
 */
export const statusWriteBenchmark: Benchmark = {
  name: 'status-write',
  description:
    "B8: the API server's time to write one PrometheusCluster status of 100 and 1000 members, by kind of write (apply, merge patch, one entry by JSON patch)",
  async run({ smoke, log }) {
    const sizes = smoke ? [10] : [100, 1000];
    const rounds = smoke ? 3 : 25;
    const fleet = await startFleet({ clusters: ['hub'], loadBalancer: false });
    const rows: BenchmarkResult['rows'][number][] = [];
    try {
      const cluster = fleet.cluster('hub');
      await installCRDs(cluster);
      const client = new KubeClient(cluster.kubeConfig, { cluster: 'hub', maxResponseBytes: 64 * 2 ** 20 });
      try {
        await new ResourceClient(client, Namespaces).create({ metadata: { name: BENCH_NAMESPACE } });
        const clusters = new ResourceClient(client, PrometheusClusters);
        await clusters.create(benchCluster(NAME));
        for (const members of sizes) {
          const bytes = JSON.stringify(status(members, 0, 0)).length;
          const writes: Record<string, (changed: number, round: number) => Promise<unknown>> = {
            apply: (changed, at) =>
              clusters.apply({ metadata: { name: NAME, namespace: BENCH_NAMESPACE }, status: status(members, changed, at) } as never, {
                fieldManager: 'promfleet-hub',
                force: true,
                subresource: 'status',
              }),
            merge: (changed, at) => clusters.patch(NAME, BENCH_NAMESPACE, { status: status(members, changed, at) }, { type: 'merge', subresource: 'status' }),
            'json, one entry': (changed, at) =>
              clusters.patch(
                NAME,
                BENCH_NAMESPACE,
                [
                  // The index is only right while the entry is where it was: the test makes the patch safe.
                  { op: 'test', path: `/status/clusters/${String(changed)}/name`, value: entry(changed, at).name },
                  { op: 'replace', path: `/status/clusters/${String(changed)}`, value: entry(changed, at) },
                  { op: 'replace', path: `/status/endpoints/${String(changed)}`, value: record(changed, at) },
                ],
                { type: 'json', subresource: 'status' },
              ),
          };
          await writes.apply?.(0, 0);
          const times = new Map(Object.keys(writes).map((kind) => [kind, [] as number[]]));
          // Kinds take turns, so a machine busy for a moment weighs on each alike.
          for (let turn = 1; turn <= rounds; turn++) {
            for (const [kind, write] of Object.entries(writes)) {
              const started = performance.now();
              await write(turn % members, turn);
              times.get(kind)?.push(performance.now() - started);
            }
          }
          const applyMedian = percentile(times.get('apply') ?? [], 50);
          for (const [kind, samples] of times) {
            rows.push({
              members,
              'status KiB': Math.round(bytes / 1024),
              write: kind,
              'p50 ms': round(percentile(samples, 50), 0),
              'p90 ms': round(percentile(samples, 90), 0),
              'p50 / apply': round(percentile(samples, 50) / applyMedian, 2),
            });
          }
          log(`${String(members)} members: ${String(rounds)} writes of each kind`);
        }
      } finally {
        await client.close();
      }
    } finally {
      await fleet.stop();
    }
    return [
      {
        title: 'B8 one PrometheusCluster status write, by members and kind of write (one API server, turns interleaved)',
        columns: ['members', 'status KiB', 'write', 'p50 ms', 'p90 ms', 'p50 / apply'],
        rows,
        notes: [
          'entries and records shaped like the hub writes them with weighted routing (one record set per member); one member changes per write',
          'the API server decodes, validates, tracks managed fields of, stores and sends to every watcher the whole object whatever the patch names',
        ],
      },
    ];
  },
};
