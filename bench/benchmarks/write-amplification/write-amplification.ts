import { setTimeout as sleep } from 'node:timers/promises';

import { MemberClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';

import { BenchFleet } from '../../lib/bench-fleet.ts';
import { FleetObservers } from '../../lib/fleet-observers.ts';
import { MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import type { Benchmark } from '../../harness.ts';
import { FloorFanout } from '../fanout/floor-path.ts';
import { HubFanout } from '../fanout/hub-path.ts';
import { waitQuiet } from '../../lib/quiet.ts';
import { apiServerDelta, kitDelta, snapshot, workDelta, type Snapshot } from './snapshot.ts';
import { crossCheckTable, mean, perChangeTable, steadyTable, workTable } from './tables.ts';

const TIMEOUT_MS = 600_000;

interface Window {
  readonly kit: Map<string, number>;
  readonly apiServer: Map<string, number>;
  readonly work: Map<string, number>;
}

const windowOf = (before: Snapshot, after: Snapshot): Window => ({
  kit: kitDelta(before, after),
  apiServer: apiServerDelta(before, after),
  work: workDelta(before, after),
});

export const writeAmplificationBenchmark: Benchmark = {
  name: 'write-amplification',
  description: 'requests by verb per spec change (hub path against direct applies) and per minute of steady state, cross-checked with kube-apiserver',
  async run({ smoke, log }) {
    const members = smoke ? 2 : 100;
    const changes = smoke ? 1 : 3;
    const steadyMs = smoke ? 5_000 : 300_000;
    const memberServers = smoke ? 1 : 4;
    log(`starting a hub and ${String(memberServers)} member API servers with operators; joining ${String(members)} members`);
    await using bench = await BenchFleet.start({ memberServers, operators: true });
    const observers = await new FleetObservers(bench).start();
    const memberClusters = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const floor = new FloorFanout(bench, observers, { concurrency: 16, timeoutMs: TIMEOUT_MS });
    try {
      await bench.join(members, MEMBER_LABELS);
      await bench.startHub();
      await memberClusters.until(
        'members Ready',
        (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === members,
        TIMEOUT_MS,
      );
      await floor.refresh();
      const hub = new HubFanout(bench, observers, TIMEOUT_MS);
      log('creating the PrometheusCluster and the floor replicas; waiting until all are ready and quiet');
      await hub.create('amplification', members);
      await floor.create('floor');
      await waitQuiet(bench.controllers);

      const measure = async (change: () => Promise<unknown>): Promise<Window> => {
        const before = await snapshot(bench, [bench.metrics, floor.metrics]);
        await change();
        await waitQuiet(bench.controllers);
        return windowOf(before, await snapshot(bench, [bench.metrics, floor.metrics]));
      };
      const hubWindows: Window[] = [];
      const floorWindows: Window[] = [];
      for (let change = 0; change < changes; change++) {
        hubWindows.push(await measure(() => hub.change('amplification', members, `change-${String(change)}`)));
        floorWindows.push(await measure(() => floor.change('floor', `change-${String(change)}`)));
        log(`spec change ${String(change + 1)}/${String(changes)} measured on both paths`);
      }

      log(`steady state for ${String(steadyMs / 1000)} s`);
      const before = await snapshot(bench, [bench.metrics, floor.metrics]);
      const started = performance.now();
      await sleep(steadyMs);
      const after = await snapshot(bench, [bench.metrics, floor.metrics]);
      const minutes = (performance.now() - started) / 60_000;
      const steady = windowOf(before, after);

      const hubKit = mean(hubWindows.map((w) => w.kit));
      const perMinute = (delta: Map<string, number>) => new Map([...delta].map(([key, value]) => [key, value / minutes]));
      return [
        perChangeTable(hubKit, mean(floorWindows.map((w) => w.kit)), members, changes),
        workTable(`Work per spec change, N = ${String(members)} (mean of ${String(changes)})`, [
          ['hub path', mean(hubWindows.map((w) => w.work))],
          ['floor', mean(floorWindows.map((w) => w.work))],
        ]),
        steadyTable(steady.kit, minutes, members),
        workTable(`Steady state work per minute, N = ${String(members)}`, [['per minute', perMinute(steady.work)]]),
        crossCheckTable([
          { name: 'spec change (hub path)', kit: hubKit, apiServer: mean(hubWindows.map((w) => w.apiServer)) },
          { name: 'steady, per minute', kit: perMinute(steady.kit), apiServer: perMinute(steady.apiServer) },
        ]),
      ];
    } finally {
      await Promise.all([observers.stop(), memberClusters.stop(), floor.close()]);
    }
  },
};
