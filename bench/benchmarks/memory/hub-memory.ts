import { setTimeout as sleep } from 'node:timers/promises';

import { MemberClusters, PrometheusClusters, PrometheusReplicas } from '@promfleet/api';
import { ResourceClient, Secrets } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';
import { HUB_NAMESPACE } from '@promfleet/testkit';
import pLimit from 'p-limit';

import { BENCH_NAMESPACE, BenchFleet } from '../../lib/bench-fleet.ts';
import { cachedJSONBytes } from '../../lib/cached-json.ts';
import { benchCluster, MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer, ObserverSet } from '../../lib/observer.ts';
import { mib, readMemory } from '../../lib/process-memory.ts';
import { waitQuiet } from '../../lib/quiet.ts';
import type { Benchmark } from '../../harness.ts';
import { memoryTable, type Stage } from './memory-table.ts';
import { idleByFormTable, idleReleaseBundle } from './release-idle.ts';

const TIMEOUT_MS = 1_800_000;

/** What the hub caches, as JSON: MemberClusters, credential Secrets, PrometheusClusters, and the replicas in every member. */
async function hubCachedJSON(bench: BenchFleet): Promise<{ objects: number; bytes: number }> {
  const parts = await Promise.all([
    cachedJSONBytes(new ResourceClient(bench.hub, MemberClusters)),
    cachedJSONBytes(new ResourceClient(bench.hub, Secrets), { namespace: HUB_NAMESPACE }),
    cachedJSONBytes(new ResourceClient(bench.hub, PrometheusClusters)),
    ...bench.admins.map((admin) => cachedJSONBytes(new ResourceClient(admin, PrometheusReplicas))),
  ]);
  return { objects: parts.reduce((sum, p) => sum + p.objects, 0), bytes: parts.reduce((sum, p) => sum + p.bytes, 0) };
}

export const hubMemoryBenchmark: Benchmark = {
  name: 'hub-memory',
  description: 'hub RSS and heap with N members × C PrometheusClusters (no operators: replicas stay Pending), against the idle hub and the JSON it caches',
  async run({ smoke, log }) {
    const members = smoke ? 2 : 100;
    const clusters = smoke ? 2 : 100;
    const memberServers = smoke ? 1 : 4;
    const settleMs = smoke ? 1_000 : 10_000;
    await using bench = await BenchFleet.start({ memberServers, operators: false, inspect: true });
    const release = await idleReleaseBundle(bench, 'hub', [`--kubeconfig=${bench.hubCluster.kubeconfigFile}`, `--namespace=${HUB_NAMESPACE}`], settleMs);
    log(`idle, release bundle: RSS ${String(mib(release.rssBytes))} MiB, heap ${String(mib(release.heapUsedBytes))} MiB`);
    const hub = await bench.startHub();
    const memberClusters = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const replicas = await new ObserverSet(bench.admins.map((admin) => new Observer(new ResourceClient(admin, PrometheusReplicas)))).start();
    const stages: Stage[] = [];
    const measure = async (name: string, added?: Stage['added']): Promise<void> => {
      await sleep(settleMs);
      const reading = await readMemory(hub.process.pid, bench.inspectorPort(hub));
      stages.push({ name, reading, cached: await hubCachedJSON(bench), ...(added ? { added } : {}) });
      log(`${name}: RSS ${String(mib(reading.rssBytes))} MiB, heap ${String(mib(reading.heapUsedBytes))} MiB`);
    };
    try {
      await measure('idle (no members, no PrometheusClusters)');

      log(`joining ${String(members)} members`);
      await bench.join(members, MEMBER_LABELS);
      await memberClusters.until(
        `${String(members)} members Ready`,
        (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === members,
        TIMEOUT_MS,
      );
      await measure(`${String(members)} members (connections, probes, replica caches)`, { unit: 'member', count: members });

      log(`creating ${String(clusters)} PrometheusClusters selecting every member (${String(members * clusters)} replicas)`);
      const limit = pLimit(8);
      const resources = new ResourceClient(bench.hub, PrometheusClusters);
      await Promise.all(Array.from({ length: clusters }, (_, i) => limit(() => resources.create(benchCluster(`memory-${String(i).padStart(3, '0')}`)))));
      const total = members * clusters;
      await replicas.until(`${String(total)} replicas`, (cache, server) => cache.list().length === bench.membersOn(server).length * clusters, TIMEOUT_MS);
      await waitQuiet(bench.controllers, 5_000, TIMEOUT_MS);
      await measure(`${String(members)} members × ${String(clusters)} PrometheusClusters`, { unit: 'replica', count: total });
    } finally {
      await Promise.all([memberClusters.stop(), replicas.stop()]);
    }
    return [
      memoryTable(
        `Hub memory: ${String(members)} members on ${String(memberServers)} API servers × ${String(clusters)} PrometheusClusters in namespace ${BENCH_NAMESPACE}`,
        stages,
        [
          "JSON cached: what the hub's informers hold, measured as the objects' JSON without managedFields (MemberClusters, credential Secrets, PrometheusClusters with status, every member's replicas).",
          'Δheap / ΔJSON: heap grown per byte of JSON cached since the previous stage; per-member connections (clients, TLS, probe loops) add heap without JSON.',
        ],
      ),
      ...(stages[0] ? [idleByFormTable('hub', stages[0].reading, release)] : []),
    ];
  },
};
