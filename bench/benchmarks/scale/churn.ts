import { setTimeout as sleep } from 'node:timers/promises';

import type { MetricSample } from '@promfleet/testkit';

import { BENCH_NAMESPACE, type BenchMember } from '../../lib/bench-fleet.ts';
import { EndpointStream } from '../../lib/endpoint-stream.ts';
import { MachineCpuReader, type MachineCpu } from '../../lib/machine-cpu.ts';
import { controllerMetrics, counterDelta, gcDurations, rollCalls } from '../../lib/scrape.ts';
import { hubCpu, hubCpuSince, runningHub, scaleProcess, untilCurrent, type ScaleContext } from './scale-context.ts';
import { hubRequests, hubWritesSince } from './steady.ts';

const FLAP_TIMEOUT_MS = 120_000;

export interface ChurnOptions {
  /**
   * Each member flaps (not ready, then ready again) once per period: the fleet makes
   * 2 × members / period changes a second, and only a few members are not ready at a time.
   */
  readonly periodMs: number;
  /** How long a flapped member stays not ready once every reader has shown it. */
  readonly holdMs: number;
  readonly windowMs: number;
}

/** Latencies of one status change, from the moment a watch on the member saw it. */
export interface FlapTimes {
  /** When the member's watch saw it, from the churn's start. */
  readonly atMs: number;
  readonly hubStatus: number;
  readonly dnsEndpoint: number;
  readonly endpointStream: number;
}

export interface Churn {
  readonly members: number;
  readonly perSecond: number;
  readonly changes: number;
  /** Changes some reader had not shown after FLAP_TIMEOUT_MS. */
  readonly timeouts: number;
  readonly times: readonly FlapTimes[];
  /** Hub CPU seconds from the first change until every reader showed the last one. */
  readonly cpuSeconds: number;
  readonly elapsedMs: number;
  /** Times the endpoints-API stream was refused (503 under pressure) or cut, and made again. */
  readonly streamReconnects: number;
  /** The machine over the same span, and who kept it busy. */
  readonly machine: MachineCpu;
  /** The wall-clock time of the churn's start (`atMs` counts from it). */
  readonly startedAtMs: number;
  /** The hub's writes to its own API server over the same span, by `verb resource` (empty when the hub restarted in it). */
  readonly hubWrites: ReadonlyMap<string, number>;
  /** The hub's garbage collections over the same span, by V8's kind (minor, major, incremental, weakcb; empty when the hub restarted in it). */
  readonly hubGc: ReadonlyMap<string, { readonly collections: number; readonly seconds: number }>;
  /** The hub's access reviews of its members, and its roll calls, over the same span (NaN when the hub restarted in it). */
  readonly probes: { readonly accessReviews: number; readonly rollCalls: number };
}

const hasRecordOf = (endpoints: readonly { setIdentifier?: string | undefined }[] | undefined, member: string) =>
  (endpoints ?? []).some((record) => record.setIdentifier === member);

/**
 * A steady churn: members in turn flap, not ready (the status writer's Degraded) and, a hold
 * later, ready again (Running), at a fixed rate for a window; each change is timed from its
 * replica's status on a member watch to the hub's status, the DNSEndpoint and an endpoints-API
 * stream, and the hub's CPU is read from /proc over the same span.
 */
export async function churn(context: ScaleContext, name: string, members: number, options: ChurnOptions): Promise<Churn> {
  const { bench } = context;
  const fleet = bench.members.slice(0, members);
  const intervalMs = options.periodMs / members;
  const stream = await EndpointStream.connect(async () => (await runningHub(context)).url);
  try {
    const cpuBefore = await hubCpu(context);
    const writesBefore = await hubRequests(context);
    const countersBefore = await hubCounters(context);
    const machine = await new MachineCpuReader(scaleProcess(context)).start();
    const started = performance.now();
    const startedAtMs = Date.now();
    const flaps: Promise<(FlapTimes | undefined)[]>[] = [];
    for (let i = 0; performance.now() - started < options.windowMs; i++) {
      const member = fleet[i % fleet.length];
      if (!member) throw new Error('no members');
      // Back up only once every reader has shown it down: else "ready" would already hold.
      flaps.push(
        change(context, stream, name, member, false, started).then(async (down) => {
          await sleep(options.holdMs);
          return [down, await change(context, stream, name, member, true, started)];
        }),
      );
      await sleep(Math.max(0, started + (i + 1) * intervalMs - performance.now()));
    }
    const results = (await Promise.all(flaps)).flat();
    const elapsedMs = performance.now() - started;
    const cpuSeconds = await hubCpuSince(context, cpuBefore);
    const machineCpu = await machine.stop();
    const writes = Number.isNaN(cpuSeconds) ? new Map<string, number>() : await hubWritesSince(context, members, writesBefore);
    const counters = Number.isNaN(cpuSeconds) ? undefined : await hubCounters(context);
    const times = results.filter((times): times is FlapTimes => times !== undefined);
    context.log(
      `N=${String(members)} churn: ${String(results.length)} changes in ${String(Math.round(elapsedMs))} ms, ${String(results.length - times.length)} timed out`,
    );
    const generation = context.observers.clusters.cache.get(`${BENCH_NAMESPACE}/${name}`)?.metadata.generation ?? 1;
    await untilCurrent(context, name, members, generation);
    return {
      members,
      perSecond: 2000 / intervalMs,
      changes: results.length,
      timeouts: results.length - times.length,
      times,
      cpuSeconds,
      elapsedMs,
      streamReconnects: stream.reconnects,
      machine: machineCpu,
      startedAtMs,
      hubWrites: new Map([...writes].filter(([key]) => key.startsWith('hub ')).map(([key, count]) => [key.slice('hub '.length), count])),
      hubGc: gcBetween(countersBefore.gc, counters?.gc ?? []),
      probes: {
        accessReviews: Number.isNaN(cpuSeconds) ? Number.NaN : (writes.get('members create selfsubjectaccessreviews') ?? 0),
        rollCalls: counters ? counters.rollCalls - countersBefore.rollCalls : Number.NaN,
      },
    };
  } finally {
    stream.close();
  }
}

/** The hub's garbage collection counters (prom-client's histogram of them) and roll calls now, from one read of its metrics. */
async function hubCounters(context: ScaleContext): Promise<{ gc: MetricSample[]; rollCalls: number }> {
  const text = await controllerMetrics((await runningHub(context)).url);
  return { gc: gcDurations(text), rollCalls: rollCalls(text) };
}

function gcBetween(before: readonly MetricSample[], after: readonly MetricSample[]): Map<string, { collections: number; seconds: number }> {
  if (after.length === 0) return new Map();
  const delta = counterDelta(before, after, (sample) => `${sample.name.endsWith('_count') ? 'count' : 'sum'} ${sample.labels.kind ?? ''}`);
  const kinds = new Set([...delta.keys()].map((key) => key.slice(key.indexOf(' ') + 1)));
  return new Map([...kinds].sort().map((kind) => [kind, { collections: delta.get(`count ${kind}`) ?? 0, seconds: delta.get(`sum ${kind}`) ?? 0 }]));
}

/** Makes one member's replica ready or not; undefined when a reader did not show it in time. */
async function change(
  context: ScaleContext,
  stream: EndpointStream,
  name: string,
  member: BenchMember,
  ready: boolean,
  started: number,
): Promise<FlapTimes | undefined> {
  const { observers, dnsEndpoints, writer } = context;
  const key = `${BENCH_NAMESPACE}/${name}`;
  const replicaKey = `${member.namespace}/${name}`;
  const what = `${member.name} ${ready ? 'ready' : 'not ready'}`;
  const replicas = observers.replicas.observers[member.server];
  if (!replicas) throw new Error(`no API server ${String(member.server)}`);
  const waits = [
    replicas.until(`${what}: replica`, (cache) => (cache.get(replicaKey)?.status?.phase === 'Running') === ready, FLAP_TIMEOUT_MS),
    observers.clusters.until(`${what}: hub status`, () => observers.entryOf(key, member.name)?.ready === ready, FLAP_TIMEOUT_MS),
    dnsEndpoints.until(
      `${what}: DNSEndpoint`,
      (cache) => hasRecordOf(cache.get(observers.dnsEndpointKey(key, member.name))?.spec?.endpoints, member.name) === ready,
      FLAP_TIMEOUT_MS,
    ),
    stream.until(`${what}: endpoints stream`, (sets) => hasRecordOf(sets.get(key), member.name) === ready, FLAP_TIMEOUT_MS),
  ];
  writer.setReady(member.server, member.namespace, name, ready);
  const settled = await Promise.allSettled(waits);
  const [replica, hubStatus, dnsEndpoint, endpointStream] = settled.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  if (replica === undefined || hubStatus === undefined || dnsEndpoint === undefined || endpointStream === undefined) {
    for (const result of settled) if (result.status === 'rejected') context.log(String(result.reason));
    return undefined;
  }
  return { atMs: replica - started, hubStatus: hubStatus - replica, dnsEndpoint: dnsEndpoint - replica, endpointStream: endpointStream - replica };
}
