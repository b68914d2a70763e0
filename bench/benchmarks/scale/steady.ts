import { setTimeout as sleep } from 'node:timers/promises';

import { WRITE_VERBS } from '@promfleet/kube/testing';
import type { MetricSample } from '@promfleet/testkit';

import { controllerMetrics, counterDelta, kitRequests } from '../../lib/scrape.ts';
import { hubCpu, hubCpuSince, runningHub, type ScaleContext } from './scale-context.ts';

const writeVerbs: ReadonlySet<string> = new Set(WRITE_VERBS);

export interface Steady {
  readonly members: number;
  readonly minutes: number;
  /** The hub's writes by `where verb resource` (where: hub or members). */
  readonly writes: ReadonlyMap<string, number>;
  /** The hub's requests to the members by `verb resource`, summed over every member. */
  readonly memberRequests: ReadonlyMap<string, number>;
  readonly cpuSeconds: number;
}

/**
 * A quiet fleet (no changes) for `durationMs`: the hub's writes and its requests to the members,
 * from its own request counter (promfleet_kube_requests_total, by cluster, verb and resource),
 * and its CPU.
 */
export async function steady(context: ScaleContext, members: number, durationMs: number): Promise<Steady> {
  const before = await hubRequests(context);
  const cpuBefore = await hubCpu(context);
  const started = performance.now();
  await sleep(durationMs);
  const cpuSeconds = await hubCpuSince(context, cpuBefore);
  // A hub that restarted meanwhile counts from zero again: its figures would mean nothing.
  if (Number.isNaN(cpuSeconds)) return { members, minutes: Number.NaN, writes: new Map(), memberRequests: new Map(), cpuSeconds };
  const after = await hubRequests(context);
  const minutes = (performance.now() - started) / 60_000;
  const isMember = memberOf(context, members);
  const memberRequests = counterDelta(before, after, (sample) =>
    isMember(sample) ? `${sample.labels.verb ?? ''} ${sample.labels.resource ?? ''}` : undefined,
  );
  return { members, minutes, writes: writesBetween(before, after, isMember), memberRequests, cpuSeconds };
}

/** The hub's request counter (promfleet_kube_requests_total) now, to pass to `hubWritesSince`. */
export async function hubRequests(context: ScaleContext): Promise<readonly MetricSample[]> {
  return kitRequests(await controllerMetrics((await runningHub(context)).url));
}

/** The hub's writes since `before`, by `where verb resource` (where: hub or members). */
export async function hubWritesSince(context: ScaleContext, members: number, before: readonly MetricSample[]): Promise<Map<string, number>> {
  return writesBetween(before, await hubRequests(context), memberOf(context, members));
}

function memberOf(context: ScaleContext, members: number): (sample: MetricSample) => boolean {
  const names = new Set(context.bench.members.slice(0, members).map((member) => member.name));
  return (sample) => names.has(sample.labels.cluster ?? '');
}

function writesBetween(before: readonly MetricSample[], after: readonly MetricSample[], isMember: (sample: MetricSample) => boolean): Map<string, number> {
  return counterDelta(before, after, (sample) =>
    writeVerbs.has(sample.labels.verb ?? '')
      ? `${isMember(sample) ? 'members' : 'hub'} ${sample.labels.verb ?? ''} ${sample.labels.resource ?? ''}`
      : undefined,
  );
}
