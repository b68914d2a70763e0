import { MemberClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';

import { BenchFleet } from '../../lib/bench-fleet.ts';
import { FleetObservers } from '../../lib/fleet-observers.ts';
import { MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { percentile, round, type Benchmark, type BenchmarkResult } from '../../harness.ts';
import { FloorFanout } from './floor-path.ts';
import { HubFanout, type FanoutTimes } from './hub-path.ts';

/** The hub's default `--concurrency`: members handled at once for one PrometheusCluster. */
const HUB_CONCURRENCY = 16;
const TIMEOUT_MS = 600_000;

interface Samples {
  readonly hub: FanoutTimes[];
  readonly floor: FanoutTimes[];
}

type Scenario = 'create → all at generation' | 'create → all ready' | 'spec change → all at generation';

export const fanoutBenchmark: Benchmark = {
  name: 'fanout',
  description:
    'PrometheusCluster create and spec change until the hub shows every member at the new generation, against the same applies made directly (the floor)',
  async run({ smoke, log }) {
    const sizes = smoke ? [2] : [10, 50, 100];
    const runs = smoke ? 1 : 5;
    const memberServers = smoke ? 1 : 4;
    log(`starting a hub, ${String(memberServers)} member API servers and ${String(memberServers)} replica operators`);
    await using bench = await BenchFleet.start({ memberServers, operators: true });
    const observers = await new FleetObservers(bench).start();
    const members = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const hub = new HubFanout(bench, observers, TIMEOUT_MS);
    const floor = new FloorFanout(bench, observers, { concurrency: HUB_CONCURRENCY, timeoutMs: TIMEOUT_MS });
    const rows: Record<string, string | number>[] = [];
    try {
      for (const size of sizes) {
        log(`joining members up to ${String(size)}`);
        await bench.join(size - bench.members.length, MEMBER_LABELS);
        if (sizes[0] === size) await bench.startHub();
        await members.until(
          `${String(size)} members Ready`,
          (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === size,
          TIMEOUT_MS,
        );
        await floor.refresh();
        const samples: Samples = { hub: [], floor: [] };
        for (let run = 0; run < runs; run++) {
          // Alternate which goes first, so neither always runs on a fleet the other just churned.
          const order = run % 2 === 0 ? (['hub', 'floor'] as const) : (['floor', 'hub'] as const);
          for (const path of order) {
            const name = `${path}-${String(size)}-${String(run)}`;
            const times = path === 'hub' ? await timeHub(hub, name, size) : await timeFloor(floor, name);
            samples[path].push(...times);
            log(
              `N=${String(size)} run ${String(run)} ${path}: create ${ms(times[0]?.converged)} (ready ${ms(times[0]?.ready)}), change ${ms(times[1]?.converged)}`,
            );
          }
        }
        rows.push(...tableRows(size, samples));
      }
    } finally {
      await Promise.all([observers.stop(), members.stop(), floor.close()]);
    }
    return [result(rows, runs, memberServers)];
  },
};

async function timeHub(hub: HubFanout, name: string, size: number): Promise<FanoutTimes[]> {
  const created = await hub.create(name, size);
  const changed = await hub.change(name, size, name);
  await hub.remove(name);
  return [created, changed];
}

async function timeFloor(floor: FloorFanout, name: string): Promise<FanoutTimes[]> {
  const created = await floor.create(name);
  const changed = await floor.change(name, name);
  await floor.remove(name);
  return [created, changed];
}

function tableRows(size: number, samples: Samples): Record<string, string | number>[] {
  const pick = (list: FanoutTimes[], index: number, field: 'converged' | 'ready') =>
    list
      .filter((_, i) => i % 2 === index)
      .map((times) => times[field])
      .filter((value): value is number => value !== undefined);
  const scenarios: [Scenario, number, 'converged' | 'ready'][] = [
    ['create → all at generation', 0, 'converged'],
    ['create → all ready', 0, 'ready'],
    ['spec change → all at generation', 1, 'converged'],
  ];
  return scenarios.map(([scenario, index, field]) => {
    const hub = pick(samples.hub, index, field);
    const floor = pick(samples.floor, index, field);
    return {
      N: size,
      scenario,
      'hub p50 (ms)': Math.round(percentile(hub, 50)),
      'hub p99 (ms)': Math.round(percentile(hub, 99)),
      'floor p50 (ms)': Math.round(percentile(floor, 50)),
      'floor p99 (ms)': Math.round(percentile(floor, 99)),
      'hub / floor p50': round(percentile(hub, 50) / percentile(floor, 50), 2),
      'hub / floor p99': round(percentile(hub, 99) / percentile(floor, 99), 2),
    };
  });
}

function result(rows: Record<string, string | number>[], runs: number, memberServers: number): BenchmarkResult {
  return {
    title: `Fan-out: N members (namespaces with their own credentials on ${String(memberServers)} API servers), ${String(runs)} run(s) each`,
    columns: ['N', 'scenario', 'hub p50 (ms)', 'hub p99 (ms)', 'floor p50 (ms)', 'floor p99 (ms)', 'hub / floor p50', 'hub / floor p99'],
    rows,
    notes: [
      'hub: from the PrometheusCluster create (or spec patch) until a watch on the hub shows every member entry at the new observedGeneration.',
      `floor: the same N PrometheusReplica applies sent directly with the members' credentials, ${String(HUB_CONCURRENCY)} at a time, until a watch shows status.observedGeneration on every replica.`,
      '"all ready": every replica Running (pods ready); hub: status.phase Ready with every member ready.',
      `With ${String(runs)} runs, p99 is the slowest run. The ratio is what the hub adds on top of what the members must do anyway.`,
    ],
  };
}

const ms = (value: number | undefined) => (value === undefined ? '-' : `${String(Math.round(value))} ms`);
