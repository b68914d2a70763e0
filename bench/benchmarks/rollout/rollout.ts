import { MemberClusters, PrometheusClusters, type PrometheusCluster } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';

import { BENCH_NAMESPACE, BenchFleet } from '../../lib/bench-fleet.ts';
import { FleetObservers } from '../../lib/fleet-observers.ts';
import { benchCluster, MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { waitQuiet } from '../../lib/quiet.ts';
import { percentile, round, type Benchmark, type BenchmarkResult } from '../../harness.ts';
import { allAtGeneration, changedSpec } from '../fanout/hub-path.ts';
import { kitDelta, snapshot } from '../write-amplification/snapshot.ts';
import { mean, perChangeTable } from '../write-amplification/tables.ts';
import { WaveFloor } from './wave-floor.ts';

const TIMEOUT_MS = 900_000;
const NAME = 'rollout';

/** Every member at `generation`, the rollout Complete and every member ready. */
const complete = (cluster: PrometheusCluster | undefined, members: number, generation: number) =>
  allAtGeneration(cluster, members, generation) &&
  cluster?.status?.rollout?.state === 'Complete' &&
  cluster.status.phase === 'Ready' &&
  cluster.status.ready === members;

export const rolloutBenchmark: Benchmark = {
  name: 'rollout',
  description:
    'a progressive rollout across N members (maxUnavailable 10) through the hub, against the same updates applied wave by wave directly (the floor), and the writes of each',
  async run({ smoke, log }) {
    const members = smoke ? 4 : 100;
    const maxUnavailable = smoke ? 2 : 10;
    const runs = smoke ? 1 : 3;
    const memberServers = smoke ? 1 : 4;
    log(`starting a hub and ${String(memberServers)} member API servers with operators; joining ${String(members)} members`);
    await using bench = await BenchFleet.start({ memberServers, operators: true });
    const observers = await new FleetObservers(bench).start();
    const memberClusters = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const floor = new WaveFloor(bench, observers, { waveSize: maxUnavailable, timeoutMs: TIMEOUT_MS });
    const clusters = new ResourceClient(bench.hub, PrometheusClusters);
    const until = (what: string, generation: number) =>
      observers.clusters.until(what, (cache) => complete(cache.get(`${BENCH_NAMESPACE}/${NAME}`), members, generation), TIMEOUT_MS);
    try {
      await bench.join(members, MEMBER_LABELS);
      await bench.startHub();
      await memberClusters.until(
        'members Ready',
        (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === members,
        TIMEOUT_MS,
      );
      await floor.refresh();
      log('creating the PrometheusCluster and the floor replicas; waiting until all are ready and quiet');
      const created = await clusters.create(benchCluster(NAME, { rollout: { strategy: 'Progressive', maxUnavailable } }));
      await until('created: every member ready', created.metadata.generation ?? 1);
      await floor.rollOut('floor', {});
      await waitQuiet(bench.controllers);

      const hubMs: number[] = [];
      const floorMs: number[] = [];
      const hubWrites: Map<string, number>[] = [];
      const floorWrites: Map<string, number>[] = [];
      for (let run = 0; run < runs; run++) {
        let before = await snapshot(bench, [bench.metrics, floor.metrics]);
        let started = performance.now();
        const { generation = 0 } = (await clusters.patch(NAME, BENCH_NAMESPACE, { spec: changedSpec(`run-${String(run)}`) })).metadata;
        hubMs.push((await until(`rollout ${String(run)} Complete`, generation)) - started);
        await waitQuiet(bench.controllers);
        hubWrites.push(kitDelta(before, await snapshot(bench, [bench.metrics, floor.metrics])));

        before = await snapshot(bench, [bench.metrics, floor.metrics]);
        started = performance.now();
        await floor.rollOut('floor', changedSpec(`run-${String(run)}`));
        floorMs.push(performance.now() - started);
        await waitQuiet(bench.controllers);
        floorWrites.push(kitDelta(before, await snapshot(bench, [bench.metrics, floor.metrics])));
        log(`run ${String(run + 1)}/${String(runs)}: hub ${String(Math.round(hubMs.at(-1) ?? 0))} ms, floor ${String(Math.round(floorMs.at(-1) ?? 0))} ms`);
      }
      const writes = perChangeTable(mean(hubWrites), mean(floorWrites), members, runs);
      return [
        timeTable(members, maxUnavailable, hubMs, floorMs),
        {
          ...writes,
          title: `Writes per rollout, N = ${String(members)}, maxUnavailable ${String(maxUnavailable)} (mean of ${String(runs)})`,
          notes: [...(writes.notes ?? []).slice(2), "floor: the benchmark applies the same replicas wave by wave with the members' credentials."],
        },
      ];
    } finally {
      await Promise.all([observers.stop(), memberClusters.stop(), floor.close()]);
    }
  },
};

function timeTable(members: number, maxUnavailable: number, hub: readonly number[], floor: readonly number[]): BenchmarkResult {
  const row = (p: number) => ({
    statistic: `p${String(p)}`,
    'hub (ms)': Math.round(percentile(hub, p)),
    'floor (ms)': Math.round(percentile(floor, p)),
    'hub / floor': round(percentile(hub, p) / percentile(floor, p), 2),
  });
  return {
    title: `Progressive rollout of a spec change across N = ${String(members)} members, maxUnavailable ${String(maxUnavailable)} (${String(hub.length)} run(s))`,
    columns: ['statistic', 'hub (ms)', 'floor (ms)', 'hub / floor'],
    rows: [row(50), row(99)],
    notes: [
      'hub: from the spec patch until the hub reports the rollout Complete with every member Running at the new generation.',
      `floor: the same replica updates applied directly, ${String(maxUnavailable)} members at a time, each wave once the one before runs.`,
    ],
  };
}
