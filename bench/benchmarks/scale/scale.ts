import { setTimeout as sleep } from 'node:timers/promises';

import { MemberClusters, PrometheusClusters } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { ResourceClient } from '@promfleet/kube/client';

import type { Benchmark } from '../../harness.ts';
import { BENCH_NAMESPACE, BenchFleet } from '../../lib/bench-fleet.ts';
import { FleetObservers } from '../../lib/fleet-observers.ts';
import { hubChartMemoryLimitBytes, hubChartNodeOptions } from '../../lib/hub-chart.ts';
import { MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { mib } from '../../lib/process-memory.ts';
import { FloorFanout } from '../fanout/floor-path.ts';
import { churn, type Churn } from './churn.ts';
import { profiled, profileTables, type HubProfile } from './hub-profile.ts';
import { memoryWithClusters, readHubMemory, type HubMemory } from './hub-memory.ts';
import { RecordChanges } from './record-changes.ts';
import { restart, type Restart } from './restart.ts';
import { CENSUS_MS, untilMembersReady, type ScaleContext } from './scale-context.ts';
import { selectAll, warmUp, type SelectAll } from './select-all.ts';
import { StatusWriter } from './status-writer.ts';
import { steady, type Steady } from './steady.ts';
import { churnTable, exitsTable, memoryTable, restartTable, selectAllTable, steadyTables, stallTable, type HubExit, type Stall } from './tables.ts';

/** The hub's default `--concurrency`, which the floor's applies use too. */
const HUB_CONCURRENCY = 16;
const TIMEOUT_MS = 300_000;
/** Sizes of a full run; BENCH_SCALE_SIZES=100,1000 (ascending) overrides them. */
function sizes(smoke: boolean): number[] {
  if (smoke) return [10];
  const given = process.env.BENCH_SCALE_SIZES?.split(',').map(Number);
  if (given && given.length > 0 && given.every((size, i) => Number.isInteger(size) && size > 0 && size > (given[i - 1] ?? 0))) return given;
  return [100, 1000];
}

/** The phases of each size, in order; BENCH_SCALE_STOP_AFTER=churn runs each size's phases up to that one. */
const PHASES = ['select-all', 'churn', 'steady', 'restart'] as const;
type Phase = (typeof PHASES)[number];

/** The last phase to run at each size; undefined runs all of them, and the memory reading at the last size. */
function stopAfter(): Phase | undefined {
  const given = process.env.BENCH_SCALE_STOP_AFTER;
  if (given === undefined || given === '') return undefined;
  const phase = PHASES.find((candidate) => candidate === given);
  if (!phase) throw new Error(`BENCH_SCALE_STOP_AFTER=${given}: not one of ${PHASES.join(', ')}`);
  return phase;
}

/** Flags to try against the defaults: BENCH_SCALE_HUB_ARGS="--status-batch-window=0" (space-separated). */
function extraHubArgs(): string[] {
  return (process.env.BENCH_SCALE_HUB_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

/** The hub's Node options: the chart's, or BENCH_SCALE_HUB_NODE_OPTIONS to compare (empty: Node's and V8's defaults). */
async function hubNodeOptions(): Promise<{ readonly options: string; readonly from: string }> {
  const given = process.env.BENCH_SCALE_HUB_NODE_OPTIONS;
  return given === undefined
    ? { options: await hubChartNodeOptions(), from: 'the chart’s nodeOptions' }
    : { options: given, from: 'BENCH_SCALE_HUB_NODE_OPTIONS' };
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  description:
    'B7: the hub with 100 and 1000 members on 8 API servers and a status writer in place of the operators: select all vs the floor, status churn latency and CPU, steady-state requests, memory, cold restart',
  async run({ smoke, log }) {
    const fleetSizes = sizes(smoke);
    const memberServers = smoke ? 2 : 8;
    const churnOptions = smoke ? { periodMs: 10_000, holdMs: 1_000, windowMs: 4_000 } : { periodMs: 100_000, holdMs: 5_000, windowMs: 60_000 };
    const steadyMs = (members: number) => (smoke ? 3_000 : (members >= 1000 ? 4 : 2) * CENSUS_MS);
    const memoryClusters = smoke ? 2 : 10;
    // Nine more 1000-member fan-outs are 9000 replicas on two shared cores: about six minutes.
    const memoryDeadlineMs = smoke ? 60_000 : 600_000;
    const settleMs = smoke ? 2_000 : 10_000;

    log(`starting a hub and ${String(memberServers)} member API servers (no operators: a status writer plays them)`);
    const exits: HubExit[] = [];
    const stalls: Stall[] = [];
    let phase = { members: fleetSizes[0] ?? 0, name: 'start' };
    const onHubExit = (code: number | null, lastLines: string): void => {
      exits.push({ ...phase, code });
      // Why: its lines about the Lease (a renewal that timed out, or the API server's refusal).
      const why = lastLines.split('\n').filter((line) => /lease/i.test(line));
      log(`N=${String(phase.members)} ${phase.name}: the hub exited (code ${String(code)}); starting it again\n${why.join('\n')}`);
    };
    const enter = (members: number, name: string): void => {
      phase = { members, name };
      log(`N=${String(members)}: ${name}`);
    };
    const hubArgs = extraHubArgs();
    const nodeOptions = await hubNodeOptions();
    const lastPhase = stopAfter();
    const runs = (phase: Phase): boolean => lastPhase === undefined || PHASES.indexOf(phase) <= PHASES.indexOf(lastPhase);
    // BENCH_SCALE_PROFILE=DIR: the hub runs with an inspector, the API servers with Go's profiler, and the churn and the steady state are profiled into DIR.
    const profileDir = process.env.BENCH_SCALE_PROFILE === '' ? undefined : process.env.BENCH_SCALE_PROFILE;
    // Held to the chart's default memory limit, as deployed (see memoryTable's notes).
    await using bench = await BenchFleet.start({
      memberServers,
      operators: false,
      inspect: profileDir !== undefined,
      apiServerProfiling: profileDir !== undefined,
      onHubExit,
      hubMemoryLimitBytes: await hubChartMemoryLimitBytes(),
      hubNodeOptions: nodeOptions.options,
      // The smoke run's ten members are past this, so it proves the sharded status as well (docs/scale.md#status-shards).
      hubArgs: [...(smoke ? ['--unsharded-members=4', '--members-per-shard=4'] : []), ...hubArgs],
    });
    if (hubArgs.length > 0) log(`the hub runs with ${hubArgs.join(' ')} (BENCH_SCALE_HUB_ARGS)`);
    log(`the hub's NODE_OPTIONS: ${nodeOptions.options === '' ? '(none)' : nodeOptions.options} (${nodeOptions.from})`);
    log(
      bench.hubCgroup
        ? `the hub runs in ${bench.hubCgroup.path} (${String(mib(bench.hubCgroup.limitBytes))} MiB)`
        : 'no memory cgroup here: the hub runs without a memory limit',
    );
    const observers = await new FleetObservers(bench).start();
    const memberClusters = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const dnsEndpoints = await new Observer(new ResourceClient(bench.hub, DNSEndpoints), { namespace: BENCH_NAMESPACE }).start();
    const writer = new StatusWriter(bench.admins, observers.replicas).start();
    const context: ScaleContext = { bench, observers, memberClusters, dnsEndpoints, writer, timeoutMs: TIMEOUT_MS, log };
    const floor = new FloorFanout(bench, observers, { concurrency: HUB_CONCURRENCY, timeoutMs: TIMEOUT_MS });
    const selections: (SelectAll & { members: number })[] = [];
    const churns: Churn[] = [];
    const quiet: Steady[] = [];
    const idle = new Map<number, number>();
    const memory: HubMemory[] = [];
    const restarts: Restart[] = [];
    const profiles: HubProfile[] = [];
    try {
      for (const size of fleetSizes) {
        try {
          enter(size, 'registering members');
          const joining = performance.now();
          await bench.register(size - bench.members.length, MEMBER_LABELS);
          log(`N=${String(size)}: registered in ${String(Math.round(performance.now() - joining))} ms`);
          if (size === fleetSizes[0]) await bench.startHub();
          await untilMembersReady(context, size);
          log(`N=${String(size)}: every member Ready after ${String(Math.round(performance.now() - joining))} ms`);
          if (size === fleetSizes[0]) {
            enter(size, 'warm-up (both paths once, unmeasured)');
            await warmUp(context, floor, size);
          }

          enter(size, 'select all');
          // The smoke run proves the phase works: one round.
          const selected = await selectAll(context, floor, size, smoke ? 1 : undefined);
          selections.push({ ...selected, members: size });
          const shards = observers.clusters.cache.get(`${BENCH_NAMESPACE}/${selected.name}`)?.status?.shards;
          log(`N=${String(size)}: the status of ${selected.name} ${shards === undefined ? 'holds every member' : `is in ${String(shards)} shards`}`);
          const records = new RecordChanges(`${BENCH_NAMESPACE}/${selected.name}`, observers, dnsEndpoints);
          if (runs('churn')) {
            enter(size, `churn, each member flapping every ${String(churnOptions.periodMs / 1000)} s, for ${String(churnOptions.windowMs / 1000)} s`);
            const churning = () => churn(context, selected.name, size, churnOptions);
            if (profileDir === undefined) churns.push(await churning());
            else {
              const { result, profile } = await profiled(context, profileDir, size, 'churn', churnOptions.windowMs / 1000, churning);
              churns.push(result);
              if (profile) profiles.push(profile);
            }
            // The churn's tail (late heartbeats, records) is not the steady state.
            await sleep(settleMs);
          }
          if (runs('steady')) {
            enter(size, `steady state for ${String(steadyMs(size) / 1000)} s`);
            // Profiled, the steady state shows what the probes cost, since nothing else happens in it.
            const steadying = () => steady(context, size, steadyMs(size));
            let still: Steady;
            if (profileDir === undefined) still = await steadying();
            else {
              const { result, profile } = await profiled(context, profileDir, size, 'steady', steadyMs(size) / 1000, steadying);
              still = result;
              if (profile) profiles.push(profile);
            }
            quiet.push(still);
            idle.set(size, still.cpuSeconds / (still.minutes * 60));
            memory.push({ members: size, clusters: 1, current: 1, replicas: size, ...(await readHubMemory(context)) });
          }
          if (runs('restart')) {
            enter(size, 'cold restart');
            restarts.push(await restart(context, records, selected.name, size, selected.generation, settleMs));
          }

          if (size === fleetSizes.at(-1)) {
            if (lastPhase !== undefined) break;
            enter(size, `${String(memoryClusters)} PrometheusClusters for the memory reading (at most ${String(memoryDeadlineMs / 1000)} s)`);
            memory.push(await memoryWithClusters(context, size, memoryClusters, memoryDeadlineMs));
          } else {
            enter(size, 'removing the PrometheusCluster and the floor replicas');
            // The next size starts from members only: the hub's replicas and the floor's go.
            await new ResourceClient(bench.hub, PrometheusClusters).delete(selected.name, BENCH_NAMESPACE);
            await observers.gone(selected.name, TIMEOUT_MS);
            await floor.remove(`floor-scale-${String(size)}`);
          }
        } catch (error) {
          // At smoke size nothing may stall: that is what the smoke run proves.
          if (smoke) throw error;
          // What was measured stands; where it stopped is a figure too.
          stalls.push({ ...phase, error: error instanceof Error ? error.message : String(error) });
          log(`N=${String(size)} ${phase.name}: stopped: ${stalls.at(-1)?.error ?? ''}`);
          break;
        }
      }
    } finally {
      writer.stop();
      await Promise.all([observers.stop(), memberClusters.stop(), dnsEndpoints.stop(), floor.close()]);
    }
    log(`status writer: ${String(writer.writes)} writes, ${String(writer.failures)} failed (retried)`);
    const limit = { limitBytes: bench.hubCgroup?.limitBytes, oomKills: (await bench.hubCgroup?.oomKills()) ?? 0 };
    return [
      selectAllTable(selections, memberServers),
      ...churnTable(churns, idle),
      ...steadyTables(quiet),
      memoryTable(memory, limit),
      restartTable(restarts),
      exitsTable(exits, fleetSizes),
      ...profileTables(profiles),
      ...(stalls.length > 0 ? [stallTable(stalls)] : []),
    ];
  },
};
