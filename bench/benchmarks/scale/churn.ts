import { setTimeout as sleep } from 'node:timers/promises';

import { BENCH_NAMESPACE, type BenchMember } from '../../lib/bench-fleet.ts';
import { EndpointStream } from '../../lib/endpoint-stream.ts';
import { cpuSecondsOf } from '../../lib/process-cpu.ts';
import { untilCurrent, type ScaleContext } from './scale-context.ts';

const FLAP_TIMEOUT_MS = 120_000;

export interface ChurnOptions {
  /** Each member flaps once per period: the fleet makes members / period changes a second. */
  readonly periodMs: number;
  readonly windowMs: number;
}

/** Latencies of one status change, from the moment a watch on the member saw it. */
interface FlapTimes {
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
}

const hasRecordOf = (endpoints: readonly { setIdentifier?: string | undefined }[] | undefined, member: string) =>
  (endpoints ?? []).some((record) => record.setIdentifier === member);

/**
 * A steady churn: members in turn flip between ready and not ready (the status writer's
 * Running ↔ Degraded) at a fixed rate for a window, each change timed from its replica's status
 * on a member watch to the hub's status, the DNSEndpoint and an endpoints-API stream; the hub's
 * CPU is read from /proc over the same span. Afterwards every member is made ready again.
 */
export async function churn(context: ScaleContext, name: string, members: number, options: ChurnOptions): Promise<Churn> {
  const { bench, writer } = context;
  const fleet = bench.members.slice(0, members);
  const intervalMs = options.periodMs / members;
  const stream = await EndpointStream.connect(bench.hubProcess.url);
  const pid = bench.hubProcess.process.pid;
  try {
    const cpuBefore = await cpuSecondsOf(pid);
    const started = performance.now();
    const flaps: Promise<FlapTimes | undefined>[] = [];
    for (let i = 0; performance.now() - started < options.windowMs; i++) {
      const member = fleet[i % fleet.length];
      if (!member) throw new Error('no members');
      flaps.push(flap(context, stream, name, member));
      await sleep(Math.max(0, started + (i + 1) * intervalMs - performance.now()));
    }
    const results = await Promise.all(flaps);
    const elapsedMs = performance.now() - started;
    const cpuSeconds = (await cpuSecondsOf(pid)) - cpuBefore;
    const times = results.filter((times): times is FlapTimes => times !== undefined);
    context.log(`N=${String(members)} churn: ${String(flaps.length)} changes in ${String(Math.round(elapsedMs))} ms, ${String(flaps.length - times.length)} timed out`);
    for (const member of fleet) if (!writer.ready(member.namespace, name)) writer.setReady(member.server, member.namespace, name, true);
    const generation = context.observers.clusters.cache.get(`${BENCH_NAMESPACE}/${name}`)?.metadata.generation ?? 1;
    await untilCurrent(context, name, members, generation);
    return {
      members,
      perSecond: 1000 / intervalMs,
      changes: flaps.length,
      timeouts: flaps.length - times.length,
      times,
      cpuSeconds,
      elapsedMs,
    };
  } finally {
    stream.close();
  }
}

/** Flips one member's readiness; undefined when a reader did not show it in time. */
async function flap(context: ScaleContext, stream: EndpointStream, name: string, member: BenchMember): Promise<FlapTimes | undefined> {
  const { observers, dnsEndpoints, writer } = context;
  const ready = !writer.ready(member.namespace, name);
  const key = `${BENCH_NAMESPACE}/${name}`;
  const replicaKey = `${member.namespace}/${name}`;
  const what = `${member.name} ${ready ? 'ready' : 'not ready'}`;
  const replicas = observers.replicas.observers[member.server];
  if (!replicas) throw new Error(`no API server ${String(member.server)}`);
  const waits = [
    replicas.until(`${what}: replica`, (cache) => (cache.get(replicaKey)?.status?.phase === 'Running') === ready, FLAP_TIMEOUT_MS),
    observers.clusters.until(
      `${what}: hub status`,
      (cache) => cache.get(key)?.status?.clusters?.find((entry) => entry.name === member.name)?.ready === ready,
      FLAP_TIMEOUT_MS,
    ),
    dnsEndpoints.until(`${what}: DNSEndpoint`, (cache) => hasRecordOf(cache.get(key)?.spec?.endpoints, member.name) === ready, FLAP_TIMEOUT_MS),
    stream.until(`${what}: endpoints stream`, (sets) => hasRecordOf(sets.get(key), member.name) === ready, FLAP_TIMEOUT_MS),
  ];
  writer.setReady(member.server, member.namespace, name, ready);
  const settled = await Promise.allSettled(waits);
  const [replica, hubStatus, dnsEndpoint, endpointStream] = settled.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  if (replica === undefined || hubStatus === undefined || dnsEndpoint === undefined || endpointStream === undefined) return undefined;
  return { hubStatus: hubStatus - replica, dnsEndpoint: dnsEndpoint - replica, endpointStream: endpointStream - replica };
}
