import { percentile, round, type BenchmarkResult } from '../../harness.ts';
import { mib } from '../../lib/process-memory.ts';
import type { Churn } from './churn.ts';
import type { HubMemory } from './hub-memory.ts';
import type { Restart } from './restart.ts';
import type { SelectAll } from './select-all.ts';
import type { Steady } from './steady.ts';

type Row = Record<string, string | number>;

export function selectAllTable(rows: readonly (SelectAll & { members: number })[], servers: number): BenchmarkResult {
  return {
    title: `B7 scale — select all: N members (namespaces with their own credentials on ${String(servers)} API servers), no operators`,
    columns: ['N', 'rounds', 'hub (ms)', 'floor (ms)', 'hub / floor'],
    rows: rows.map((r) => ({
      N: r.members,
      rounds: r.rounds,
      'hub (ms)': Math.round(r.hubMs),
      'floor (ms)': Math.round(r.floorMs),
      'hub / floor': round(r.hubMs / r.floorMs, 2),
    })),
    notes: [
      "hub: PrometheusCluster create until the hub's status lists every member at the generation, Ready, with the address the status writer reports.",
      "floor: the same N replica applies sent directly with the members' credentials, 16 at a time (the hub's --concurrency), until every replica is Running at its generation.",
      'The status writer plays the operators for both: it writes the status the operator would for ready workloads.',
      'With several rounds (each path in turn, every round but the last undone), the medians.',
    ],
  };
}

export function churnTable(rows: readonly Churn[], idle: ReadonlyMap<number, number>): BenchmarkResult[] {
  const readers: [string, 'hubStatus' | 'dnsEndpoint' | 'endpointStream'][] = [
    ['replica status → hub status', 'hubStatus'],
    ['replica status → DNSEndpoint', 'dnsEndpoint'],
    ['replica status → endpoints API stream (SSE)', 'endpointStream'],
  ];
  const latency: Row[] = rows.flatMap((churn) =>
    readers.map(([what, field]) => {
      const values = churn.times.map((times) => times[field]);
      return {
        N: churn.members,
        'changes/s': round(churn.perSecond, 1),
        latency: what,
        'p50 (ms)': Math.round(percentile(values, 50)),
        'p99 (ms)': Math.round(percentile(values, 99)),
        'max (ms)': Math.round(percentile(values, 100)),
        'timed out': churn.timeouts,
        'SSE reconnects': churn.streamReconnects,
      };
    }),
  );
  const cpu: Row[] = rows.map((churn) => {
    const idlePerSecond = idle.get(churn.members) ?? Number.NaN;
    const net = churn.cpuSeconds - idlePerSecond * (churn.elapsedMs / 1000);
    return {
      N: churn.members,
      changes: churn.changes,
      'window (s)': round(churn.elapsedMs / 1000, 1),
      'hub CPU (s)': round(churn.cpuSeconds, 2),
      'CPU per change (ms)': round((churn.cpuSeconds * 1000) / churn.changes, 1),
      'idle CPU (ms/s)': round(idlePerSecond * 1000, 1),
      'CPU per change above idle (ms)': round((net * 1000) / churn.changes, 1),
    };
  });
  return [
    {
      title: 'B7 scale — status churn: latency from a replica status change (as a member watch sees it) to each reader',
      columns: ['N', 'changes/s', 'latency', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'timed out', 'SSE reconnects'],
      rows: latency,
      notes: [
        'Members flap in turn: Degraded (Prometheus not ready), then Running again once every reader has shown it and a hold has passed; each change removes or adds one weighted record.',
        'changes/s: both changes of each flap; timed out: a reader had not shown the change after 120 s.',
        'SSE reconnects: the stream client was refused (503: the API refuses requests while the event loop lags over 1 s) or cut, and reconnected with Last-Event-ID; waits span them.',
      ],
    },
    {
      title: 'B7 scale — hub CPU per status change (/proc/<pid>/stat utime+stime, from the first change until every reader showed the last)',
      columns: ['N', 'changes', 'window (s)', 'hub CPU (s)', 'CPU per change (ms)', 'idle CPU (ms/s)', 'CPU per change above idle (ms)'],
      rows: cpu,
      notes: ['idle: the hub’s CPU rate in the steady phase (probes, watches, no changes), subtracted over the churn window.'],
    },
    machineTable(rows),
    churnWritesTable(rows),
    churnProbesTable(rows),
    churnGcTable(rows),
    churnTimelineTable(rows),
  ];
}

/** What the hub wrote to its own API server for each change: what that API server's time went to. */
function churnWritesTable(rows: readonly Churn[]): BenchmarkResult {
  return {
    title: "B7 scale — the hub's writes to its own API server during the churn",
    columns: ['N', 'verb resource', 'writes', 'per second', 'per change'],
    rows: rows.flatMap((churn) => {
      const entries = [...churn.hubWrites].sort(([a], [b]) => a.localeCompare(b));
      if (entries.length === 0) return [{ N: churn.members, 'verb resource': '(none, or the hub restarted)', writes: 0, 'per second': 0, 'per change': 0 }];
      return entries.map(([key, count]) => ({
        N: churn.members,
        'verb resource': key,
        writes: count,
        'per second': round(count / (churn.elapsedMs / 1000), 1),
        'per change': round(count / churn.changes, 2),
      }));
    }),
    notes: ['From the hub’s promfleet_kube_requests_total over the churn window, as the CPU figures.'],
  };
}

/** The hub's probes over the churn: each member's at its own phase, and the roll calls that ask every member at once. */
function churnProbesTable(rows: readonly Churn[]): BenchmarkResult {
  return {
    title: "B7 scale — the hub's probes of its members during the churn",
    columns: ['N', 'access reviews', 'per member per minute', 'roll calls'],
    rows: rows.map((churn) => ({
      N: churn.members,
      'access reviews': churn.probes.accessReviews,
      'per member per minute': round(churn.probes.accessReviews / churn.members / (churn.elapsedMs / 60_000), 2),
      'roll calls': churn.probes.rollCalls,
    })),
    notes: [
      'Each member gets one access review per --member-probe-interval (35 s) at its own phase of it; a roll call (a probe failed after an answer) asks every member at once, so failing static sees a hub cut off whole. NaN: the hub restarted in the churn.',
    ],
  };
}

/** The hub's garbage collection over the churn: what its young generation's size (the chart's nodeOptions) decides. */
function churnGcTable(rows: readonly Churn[]): BenchmarkResult {
  return {
    title: "B7 scale — the hub's garbage collection during the churn",
    columns: ['N', 'kind', 'collections', 'per change', 'seconds', 'ms per change'],
    rows: rows.flatMap((churn) => {
      if (churn.hubGc.size === 0) return [{ N: churn.members, kind: '(the hub restarted)', collections: 0, 'per change': 0, seconds: 0, 'ms per change': 0 }];
      return [...churn.hubGc].map(([kind, { collections, seconds }]) => ({
        N: churn.members,
        kind,
        collections,
        'per change': round(collections / churn.changes, 2),
        seconds: round(seconds, 2),
        'ms per change': round((seconds * 1000) / churn.changes, 2),
      }));
    }),
    notes: [
      'From the hub’s promfleet_nodejs_gc_duration_seconds over the churn window (V8’s kinds: minor = scavenges of the young generation, major = mark-compact, incremental = marking steps, weakcb = weak callbacks).',
      'The seconds are pauses on the hub’s main thread; V8’s concurrent marking and sweeping on other threads are in the hub’s CPU, not here.',
    ],
  };
}

const TIMELINE_STEP_MS = 5_000;

/** Latency to the hub's status by when the change came: a tail from a burst (heartbeats, a full pass) shows in one window, a saturated machine in all. */
function churnTimelineTable(rows: readonly Churn[]): BenchmarkResult {
  return {
    title: `B7 scale — status churn over time: replica status → hub status, by ${String(TIMELINE_STEP_MS / 1000)} s of the churn`,
    columns: ['N', 'from (s)', 'changes', 'p50 (ms)', 'p99 (ms)', 'max (ms)'],
    rows: rows.flatMap((churn) => {
      const windows = new Map<number, number[]>();
      for (const times of churn.times) {
        const from = Math.floor(times.atMs / TIMELINE_STEP_MS) * TIMELINE_STEP_MS;
        windows.set(from, [...(windows.get(from) ?? []), times.hubStatus]);
      }
      return [...windows]
        .sort(([a], [b]) => a - b)
        .map(([from, values]) => ({
          N: churn.members,
          'from (s)': from / 1000,
          changes: values.length,
          'p50 (ms)': Math.round(percentile(values, 50)),
          'p99 (ms)': Math.round(percentile(values, 99)),
          'max (ms)': Math.round(percentile(values, 100)),
        }));
    }),
  };
}

/** Who kept the machine busy during each churn: a latency on a saturated machine is the machine's as much as the hub's. */
function machineTable(rows: readonly Churn[]): BenchmarkResult {
  const groups = ['hub', "hub's API server", "members' API servers", 'etcd', 'benchmark', 'other'];
  return {
    title: 'B7 scale — the machine during the churn (CPU cores in use, /proc/stat and /proc/<pid>/stat over the churn window)',
    columns: ['N', 'changes/s', 'cores', 'busy', ...groups],
    rows: rows.map(({ members, perSecond, machine }) => ({
      N: members,
      'changes/s': round(perSecond, 1),
      cores: machine.cores,
      busy: `${String(Math.round((100 * machine.busy) / (machine.seconds * machine.cores)))} %`,
      ...Object.fromEntries(groups.map((group) => [group, round((machine.byProcess.get(group) ?? 0) / machine.seconds, 2)])),
    })),
    notes: [
      'busy: the share of all cores not idle; the other columns: cores each kind of process used on average (1.00 = one core all the time).',
      "members' API servers: all eight together; benchmark: this process, which plays the operators (the status writer) and watches every reader; other: anything else it started.",
    ],
  };
}

export function steadyTables(rows: readonly Steady[]): BenchmarkResult[] {
  const writes: Row[] = rows.flatMap((steady) => {
    const entries = [...steady.writes].sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) return [{ N: steady.members, 'where verb resource': '(none)', writes: 0, 'per minute': 0 }];
    return entries.map(([key, count]) => ({ N: steady.members, 'where verb resource': key, writes: count, 'per minute': round(count / steady.minutes, 1) }));
  });
  const requests: Row[] = rows.flatMap((steady) => {
    const perMember = (count: number) => round(count / steady.members / steady.minutes, 2);
    const total = [...steady.memberRequests.values()].reduce((sum, count) => sum + count, 0);
    return [
      ...[...steady.memberRequests]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => ({ N: steady.members, 'verb resource': key, 'per member per minute': perMember(count) })),
      { N: steady.members, 'verb resource': 'all', 'per member per minute': perMember(total) },
    ];
  });
  return [
    {
      title: `B7 scale — steady state (no changes): the hub's writes, ${rows.map((s) => `${String(round(s.minutes, 1))} min at N = ${String(s.members)}`).join(', ')}`,
      columns: ['N', 'where verb resource', 'writes', 'per minute'],
      rows: writes,
      notes: [
        'From the hub’s promfleet_kube_requests_total. leases: leader election; memberclusters status: the heartbeat (lastProbeTime, every 5 min a member, each at its own phase of them); selfsubject*reviews: the probes’ access reviews.',
      ],
    },
    {
      title: "B7 scale — steady state: the hub's requests to its members",
      columns: ['N', 'verb resource', 'per member per minute'],
      rows: requests,
    },
  ];
}

/** The memory cgroup the hub ran in: its limit and how many times the kernel killed the hub for going over it. */
export interface HubLimit {
  readonly limitBytes: number | undefined;
  readonly oomKills: number;
}

export function memoryTable(rows: readonly HubMemory[], limit: HubLimit): BenchmarkResult {
  return {
    title: 'B7 scale — hub memory',
    columns: ['N', 'PrometheusClusters', 'current', 'replicas', 'RSS (MiB)', 'heap (MiB)', 'cgroup peak so far (MiB)'],
    rows: rows.map((m) => ({
      N: m.members,
      PrometheusClusters: m.clusters,
      current: m.current,
      replicas: m.replicas,
      'RSS (MiB)': mib(m.rssBytes),
      'heap (MiB)': mib(m.heapBytes),
      'cgroup peak so far (MiB)': m.peakBytes === undefined ? 'n/a' : mib(m.peakBytes),
    })),
    notes: [
      limit.limitBytes === undefined
        ? 'The hub ran WITHOUT a memory limit (this machine gave the benchmark no memory cgroup): Node sized its heap from the machine’s memory, not from the chart’s limit.'
        : `The hub ran in a memory cgroup of ${String(mib(limit.limitBytes))} MiB, the chart’s default limit, as its pod would: Node sizes its V8 heap from the limit, and going over it is an OOM kill (${String(limit.oomKills)} in this run). The peak is the cgroup’s (memory.max_usage_in_bytes or memory.peak), page cache included.`,
      'RSS from /proc/<pid>/status; heap from the hub’s promfleet_nodejs_heap_size_used_bytes (no forced collection). current: PrometheusClusters whose status was full and current when read (the rest were still being fanned out).',
    ],
  };
}

export function restartTable(rows: readonly Restart[]): BenchmarkResult {
  return {
    title: 'B7 scale — cold restart (SIGTERM, then a new hub process)',
    columns: ['N', 'stop (ms)', 'start → ready (ms)', 'start → status current (ms)', 'moved members', 'called-for record changes', 'other record changes'],
    rows: rows.map((r) => ({
      N: r.members,
      'stop (ms)': Math.round(r.stopMs),
      'start → ready (ms)': Math.round(r.readyMs),
      'start → status current (ms)': Math.round(r.currentMs),
      'moved members': r.moved,
      'called-for record changes': r.expectedChanges,
      'other record changes': r.otherChanges,
    })),
    notes: [
      'While the hub is down 1 % of the members move their address; "current" is the status showing them and every other member as before.',
      'Record changes: any change of a record’s targets in the DNSEndpoint or status.endpoints from SIGTERM until a few seconds after current. Called for: the moved members’ (two each). Goal for the others: 0.',
    ],
  };
}

/** The hub exiting on its own (it does when it loses its leader Lease), during which phase. */
export interface HubExit {
  readonly members: number;
  readonly name: string;
  readonly code: number | null;
}

export function exitsTable(exits: readonly HubExit[], sizes: readonly number[]): BenchmarkResult {
  return {
    title: 'B7 scale — hub exits (the benchmark starts it again, as its Deployment would)',
    columns: ['N', 'phase', 'exits'],
    rows: sizes.flatMap((members) => {
      const here = exits.filter((exit) => exit.members === members);
      if (here.length === 0) return [{ N: members, phase: '(none)', exits: 0 }];
      return [...new Set(here.map((exit) => exit.name))].map((name) => ({ N: members, phase: name, exits: here.filter((exit) => exit.name === name).length }));
    }),
    notes: [
      'The hub exits when it cannot renew its leader Lease in time (a standby, or its restart, campaigns again), or when the kernel kills it for going over its memory limit (code null; counted in the memory table). Figures of a phase with an exit include the restart; CPU and steady-state counts across one are left out (NaN).',
    ],
  };
}

/** A phase that did not finish: the run stops there and reports what it measured. */
export interface Stall {
  readonly members: number;
  readonly name: string;
  readonly error: string;
}

export function stallTable(stalls: readonly Stall[]): BenchmarkResult {
  return {
    title: 'B7 scale — where the run stopped',
    columns: ['N', 'phase', 'error'],
    rows: stalls.map((stall) => ({ N: stall.members, phase: stall.name, error: stall.error.slice(0, 300) })),
  };
}
