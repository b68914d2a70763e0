import { PrometheusClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { BENCH_NAMESPACE } from '../../lib/bench-fleet.ts';
import type { FloorFanout } from '../fanout/floor-path.ts';
import { createCluster, untilCurrent, type ScaleContext } from './scale-context.ts';

export interface SelectAll {
  /** The PrometheusCluster created, selecting every member; the later phases use it. */
  readonly name: string;
  readonly generation: number;
  readonly hubMs: number;
  readonly floorMs: number;
}

/**
 * A PrometheusCluster selecting every member, from its create until the hub's status shows every
 * member current (see hubCurrent); then the floor: the same replica applies sent directly with the
 * members' credentials at the hub's concurrency, until every replica is Running at its generation.
 * The status writer answers both alike.
 */
export async function selectAll(context: ScaleContext, floor: FloorFanout, members: number): Promise<SelectAll> {
  const name = `scale-${String(members)}`;
  const started = performance.now();
  const generation = await createCluster(context, name);
  const hubMs = (await untilCurrent(context, name, members, generation)) - started;
  context.log(`N=${String(members)} select all through the hub: ${String(Math.round(hubMs))} ms`);
  await floor.refresh();
  const floorTimes = await floor.create(`floor-${String(members)}`);
  context.log(`N=${String(members)} select all, floor: ${String(Math.round(floorTimes.ready ?? Number.NaN))} ms`);
  return { name, generation, hubMs, floorMs: floorTimes.ready ?? Number.NaN };
}

/**
 * Both paths once, unmeasured, then undone: the first fan-out of a freshly started hub runs code
 * V8 has not compiled yet, which the floor (in this long-running process) does not pay. A hub in
 * production is long-running; its cold start is the restart phase's figure.
 */
export async function warmUp(context: ScaleContext, floor: FloorFanout, members: number): Promise<void> {
  const name = 'warm-up';
  const generation = await createCluster(context, name);
  await untilCurrent(context, name, members, generation);
  await new ResourceClient(context.bench.hub, PrometheusClusters).delete(name, BENCH_NAMESPACE);
  await context.observers.gone(name, context.timeoutMs);
  await floor.refresh();
  await floor.create('floor-warm-up');
  await floor.remove('floor-warm-up');
}
