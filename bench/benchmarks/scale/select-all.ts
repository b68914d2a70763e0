import { PrometheusClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { percentile } from '../../harness.ts';
import { BENCH_NAMESPACE } from '../../lib/bench-fleet.ts';
import type { FloorFanout } from '../fanout/floor-path.ts';
import { createCluster, untilCurrent, type ScaleContext } from './scale-context.ts';

export interface SelectAll {
  /** The PrometheusCluster created in the last round, selecting every member; the later phases use it. */
  readonly name: string;
  readonly generation: number;
  /** Medians over the rounds. */
  readonly hubMs: number;
  readonly floorMs: number;
  readonly rounds: number;
}

/**
 * At 100 members a select-all is about two seconds, and this machine's noise from one run to the
 * next half a second: the median of five rounds, each path in turn. At 1000, one round.
 */
export function roundsAt(members: number): number {
  return members <= 100 ? 5 : 1;
}

/**
 * A PrometheusCluster selecting every member, from its create until the hub's status shows every
 * member current (see hubCurrent); then the floor: the same replica applies sent directly with the
 * members' credentials at the hub's concurrency, until every replica is Running at its generation.
 * The status writer answers both alike. Every round but the last is undone.
 */
export async function selectAll(context: ScaleContext, floor: FloorFanout, members: number, rounds = roundsAt(members)): Promise<SelectAll> {
  const hub: number[] = [];
  const direct: number[] = [];
  for (let round = 1; ; round++) {
    const last = round === rounds;
    const name = last ? `scale-${String(members)}` : `scale-${String(members)}-round-${String(round)}`;
    const measured = await bothPaths(context, floor, name, members);
    hub.push(measured.hubMs);
    direct.push(measured.floorMs);
    context.log(
      `N=${String(members)} select all, round ${String(round)}/${String(rounds)}: hub ${String(Math.round(measured.hubMs))} ms, floor ${String(Math.round(measured.floorMs))} ms`,
    );
    if (last) return { name, generation: measured.generation, hubMs: percentile(hub, 50), floorMs: percentile(direct, 50), rounds };
    await undo(context, floor, name);
  }
}

/**
 * Both paths once, unmeasured, then undone: the first fan-out of a freshly started hub runs code
 * V8 has not compiled yet, which the floor (in this long-running process) does not pay. A hub in
 * production is long-running; its cold start is the restart phase's figure.
 */
export async function warmUp(context: ScaleContext, floor: FloorFanout, members: number): Promise<void> {
  await bothPaths(context, floor, 'warm-up', members);
  await undo(context, floor, 'warm-up');
}

async function bothPaths(
  context: ScaleContext,
  floor: FloorFanout,
  name: string,
  members: number,
): Promise<{ generation: number; hubMs: number; floorMs: number }> {
  const started = performance.now();
  const generation = await createCluster(context, name);
  const hubMs = (await untilCurrent(context, name, members, generation)) - started;
  await floor.refresh();
  const floorTimes = await floor.create(`floor-${name}`);
  return { generation, hubMs, floorMs: floorTimes.ready ?? Number.NaN };
}

async function undo(context: ScaleContext, floor: FloorFanout, name: string): Promise<void> {
  await new ResourceClient(context.bench.hub, PrometheusClusters).delete(name, BENCH_NAMESPACE);
  await context.observers.gone(name, context.timeoutMs);
  await floor.remove(`floor-${name}`);
}
