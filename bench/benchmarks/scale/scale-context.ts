import { PrometheusClusters, type MemberCluster, type PrometheusCluster } from '@promfleet/api';
import { HUB_FLAGS, type DNSEndpoint } from '@promfleet/hub';
import { setTimeout as sleep } from 'node:timers/promises';

import { ResourceClient } from '@promfleet/kube/client';
import { parseDuration } from '@promfleet/kube/flags';
import type { NodeProcess } from '@promfleet/testkit';
import { findCondition } from '@promfleet/kube/status';

import { BENCH_NAMESPACE, type BenchFleet } from '../../lib/bench-fleet.ts';
import type { FleetObservers } from '../../lib/fleet-observers.ts';
import { benchCluster } from '../../lib/objects.ts';
import type { ProcessLabel } from '../../lib/machine-cpu.ts';
import { cpuSecondsOf } from '../../lib/process-cpu.ts';
import type { Observer } from '../../lib/observer.ts';
import type { StatusWriter } from './status-writer.ts';

/**
 * The hub's default --member-probe-interval: every member is probed once an interval at its own
 * phase of it (its census), so a steady window of whole intervals holds one probe of each member
 * wherever it starts (60 s holds one or two, which read as 1 or 2 requests a member a minute).
 */
export const CENSUS_MS = parseDuration(HUB_FLAGS['member-probe-interval'].default) ?? Number.NaN;

/** What every phase of the scale benchmark works with: one fleet, its watches and the status writer. */
export interface ScaleContext {
  readonly bench: BenchFleet;
  readonly observers: FleetObservers;
  readonly memberClusters: Observer<MemberCluster>;
  readonly dnsEndpoints: Observer<DNSEndpoint>;
  readonly writer: StatusWriter;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

/** The hub process, waiting while it restarts (it exits when it loses its Lease, and is started again). */
export async function runningHub(context: ScaleContext): Promise<NodeProcess> {
  const deadline = performance.now() + 120_000;
  while (!context.bench.hubRunning) {
    if (performance.now() > deadline) throw new Error('no hub process for 120 s');
    await sleep(250);
  }
  return context.bench.hubProcess;
}

/** The hub's CPU seconds so far, with its pid: a delta is only meaningful within one process. */
export async function hubCpu(context: ScaleContext): Promise<{ pid: number; seconds: number }> {
  const { pid } = (await runningHub(context)).process;
  return { pid, seconds: await cpuSecondsOf(pid) };
}

/** B7's processes by what they are to the figures: the hub, its API server, the members' API servers, etcd. */
export function scaleProcess(context: ScaleContext): ProcessLabel {
  const hubServer = `--etcd-prefix=/clusters/${context.bench.hubCluster.name}`;
  return (args) => {
    const executable = args[0]?.split('/').pop();
    if (executable === 'etcd') return 'etcd';
    if (executable === 'kube-apiserver') return args.includes(hubServer) ? "hub's API server" : "members' API servers";
    if (args.some((arg) => arg.endsWith('/hub/src/main.ts'))) return 'hub';
    return 'other';
  };
}

/** CPU seconds since `before`; NaN when the hub restarted in between. */
export async function hubCpuSince(context: ScaleContext, before: { pid: number; seconds: number }): Promise<number> {
  const now = await hubCpu(context);
  return now.pid === before.pid ? now.seconds - before.seconds : Number.NaN;
}

/** Weighted routing: one record set per member, so one member's readiness moves one record. */
export const SCALE_SPEC = { dns: { routingPolicy: 'weighted' } } as const;

export async function createCluster(context: ScaleContext, name: string): Promise<number> {
  const created = await new ResourceClient(context.bench.hub, PrometheusClusters).create(benchCluster(name, SCALE_SPEC));
  return created.metadata.generation ?? 1;
}

/**
 * The hub's status is full and current: an entry for each of the `members` first members, each
 * at `generation`, with the readiness and the address the status writer reports now.
 */
export function hubCurrent(context: ScaleContext, cluster: PrometheusCluster | undefined, members: number, generation: number): boolean {
  const entries = cluster?.status?.clusters ?? [];
  if (cluster?.metadata.generation !== generation || entries.length !== members) return false;
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  return context.bench.members.slice(0, members).every((member) => {
    const entry = byName.get(member.name);
    const ready = context.writer.ready(member.namespace, cluster.metadata.name);
    return entry?.observedGeneration === generation && entry.ready === ready && (!ready || entry.addresses?.[0] === context.writer.address(member.namespace));
  });
}

/** When the hub's status of `name`, its shards merged in, is current (see hubCurrent). */
export function untilCurrent(context: ScaleContext, name: string, members: number, generation: number, timeoutMs = context.timeoutMs): Promise<number> {
  return context.observers.clusters.until(
    `${name}: ${String(members)} members current`,
    () => hubCurrent(context, context.observers.whole(`${BENCH_NAMESPACE}/${name}`), members, generation),
    timeoutMs,
  );
}

/** Until the hub reports every member Ready. */
export function untilMembersReady(context: ScaleContext, members: number): Promise<number> {
  return context.memberClusters.until(
    `${String(members)} members Ready`,
    (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === members,
    context.timeoutMs,
  );
}
