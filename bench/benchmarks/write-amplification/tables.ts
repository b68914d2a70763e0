import { WRITE_VERBS } from '@promfleet/kube/testing';

import { round, type BenchmarkResult } from '../../harness.ts';
import { PERIODIC_RESOURCES } from '../../lib/quiet.ts';

type Row = Record<string, string | number>;
const writeVerbs: ReadonlySet<string> = new Set(WRITE_VERBS);
const isWrite = (verb: string | undefined) => writeVerbs.has(verb ?? '');

/** Mean of several deltas, per key. */
export function mean(deltas: readonly Map<string, number>[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const delta of deltas) for (const [key, value] of delta) sums.set(key, (sums.get(key) ?? 0) + value / deltas.length);
  return sums;
}

const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : '-');
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** Writes per spec change through the hub and on the floor, side by side (periodic writes left out). */
export function perChangeTable(hub: Map<string, number>, floor: Map<string, number>, members: number, changes: number): BenchmarkResult {
  const counted = (key: string) => {
    const [, , verb, resource] = key.split('|');
    return isWrite(verb) && !PERIODIC_RESOURCES.has(resource ?? '');
  };
  const keys = [...new Set([...hub.keys(), ...floor.keys()])].filter(counted).sort();
  const rows: Row[] = keys.map((key) => {
    const [client = '', target = '', verb = '', resource = ''] = key.split('|');
    const h = hub.get(key) ?? 0;
    const f = floor.get(key) ?? 0;
    return { from: client, to: target, verb, resource, 'hub path': round(h, 1), floor: round(f, 1), 'hub / floor': ratio(h, f) };
  });
  const total = (deltas: Map<string, number>) => sum([...deltas].filter(([key]) => counted(key)).map(([, value]) => value));
  rows.push({
    from: 'all',
    to: 'all',
    verb: 'writes',
    resource: '',
    'hub path': round(total(hub), 1),
    floor: round(total(floor), 1),
    'hub / floor': ratio(total(hub), total(floor)),
  });
  return {
    title: `Writes per spec change, N = ${String(members)} (mean of ${String(changes)})`,
    columns: ['from', 'to', 'verb', 'resource', 'hub path', 'floor', 'hub / floor'],
    rows,
    notes: [
      'hub path: patch the PrometheusCluster; the hub applies every replica, the operators reconcile them, the hub writes its status.',
      "floor: the benchmark applies the same replicas directly with the members' credentials; the operators do the same work.",
      "From the kit's promfleet_kube_requests_total; Lease renewals and the probes' access reviews are periodic and left out (see steady state).",
    ],
  };
}

const WORK_LABELS: Readonly<Record<string, string>> = {
  'hub|promfleet_reconcile_total|prometheuscluster': 'hub: PrometheusCluster reconciles',
  'hub|promfleet_reconcile_duration_seconds_sum|prometheuscluster': 'hub: PrometheusCluster reconcile seconds',
  'hub|promfleet_reconcile_total|membercluster': 'hub: MemberCluster reconciles',
  'hub|promfleet_reconcile_total|dnsendpoint': 'hub: DNSEndpoint reconciles',
  'operators|promfleet_reconcile_total|prometheusreplica': 'operators: PrometheusReplica reconciles',
  'operators|promfleet_reconcile_duration_seconds_sum|prometheusreplica': 'operators: PrometheusReplica reconcile seconds',
  'hub|promfleet_process_cpu_seconds_total|': 'hub: CPU seconds',
  'operators|promfleet_process_cpu_seconds_total|': 'operators: CPU seconds',
};

/**
 * Reconciles, their time and CPU: the work behind the requests, one column per window. With
 * two windows (hub path, floor) the last column is their ratio.
 */
export function workTable(title: string, windows: readonly (readonly [string, Map<string, number>])[]): BenchmarkResult {
  const meanMs = (deltas: Map<string, number>) => {
    const count = deltas.get('hub|promfleet_reconcile_total|prometheuscluster') ?? 0;
    return count > 0 ? round(((deltas.get('hub|promfleet_reconcile_duration_seconds_sum|prometheuscluster') ?? 0) / count) * 1000, 1) : '-';
  };
  const [first, second] = windows;
  const withRatio = windows.length === 2 && first && second;
  const rows: Row[] = Object.entries(WORK_LABELS).map(([key, what]) => ({
    work: what,
    ...Object.fromEntries(windows.map(([name, deltas]) => [name, round(deltas.get(key) ?? 0, 2)])),
    ...(withRatio ? { 'hub / floor': ratio(first[1].get(key) ?? 0, second[1].get(key) ?? 0) } : {}),
  }));
  rows.splice(2, 0, {
    work: 'hub: PrometheusCluster reconcile mean (ms)',
    ...Object.fromEntries(windows.map(([name, deltas]) => [name, meanMs(deltas)])),
    ...(withRatio ? { 'hub / floor': '-' } : {}),
  });
  return {
    title,
    columns: ['work', ...windows.map(([name]) => name), ...(withRatio ? ['hub / floor'] : [])],
    rows,
    notes: [
      "Reconciles of every result; seconds from the reconcile histogram (summed over workers, so it can exceed the wall time); CPU from each process's own counter.",
    ],
  };
}

/** What the controllers and the benchmark sent against what kube-apiserver counted, writes only. */
export function crossCheckTable(windows: readonly { name: string; kit: Map<string, number>; apiServer: Map<string, number> }[]): BenchmarkResult {
  const rows: Row[] = [];
  for (const window of windows) {
    const kit = new Map<string, number>();
    for (const [key, value] of window.kit) {
      const [, target = '', verb = '', resource = ''] = key.split('|');
      if (isWrite(verb)) kit.set([target, verb, resource].join('|'), (kit.get([target, verb, resource].join('|')) ?? 0) + value);
    }
    for (const key of [...kit.keys()].sort()) {
      const [target = '', verb = '', resource = ''] = key.split('|');
      const sent = kit.get(key) ?? 0;
      const counted = window.apiServer.get(key) ?? 0;
      rows.push({
        window: window.name,
        'API servers': target,
        verb,
        resource,
        'kit (promfleet + bench)': round(sent, 1),
        apiserver_request_total: round(counted, 1),
        'other clients': round(counted - sent, 1),
      });
    }
  }
  return {
    title: 'Cross-check: writes the kit counted against what kube-apiserver counted',
    columns: ['window', 'API servers', 'verb', 'resource', 'kit (promfleet + bench)', 'apiserver_request_total', 'other clients'],
    rows,
    notes: [
      '"other clients" is what neither promfleet nor the benchmark sent: kube-controller-manager (workload status, pods, events, its Lease), the fake kubelet and load balancer.',
      'kube-apiserver v1.20 counts a server-side apply as APPLY and subresources (status) under their resource.',
    ],
  };
}

function steadyCategory(client: string, verb: string, resource: string): string {
  if (!isWrite(verb)) return 'reads';
  if (resource === 'leases') return 'Lease renewals';
  if (resource.startsWith('selfsubject')) return 'access reviews (probes; never stored)';
  if (client === 'hub' && resource === 'memberclusters') return 'MemberCluster heartbeat';
  return 'other writes (expected 0)';
}

/** Steady state per minute: every request, by category, with the writes that are not periodic on their own. */
export function steadyTable(delta: Map<string, number>, minutes: number, members: number): BenchmarkResult {
  const rows: Row[] = [];
  const others = { hub: 0, operators: 0 };
  for (const [key, value] of [...delta].sort(([a], [b]) => a.localeCompare(b))) {
    const [client = '', target = '', verb = '', resource = ''] = key.split('|');
    if (client === 'bench') continue;
    const category = steadyCategory(client, verb, resource);
    if (category === 'other writes (expected 0)') others[client as keyof typeof others] += value;
    rows.push({
      from: client,
      to: target,
      category,
      verb,
      resource: resource || '(discovery)',
      'per minute': round(value / minutes, 1),
      'per member per minute': round(value / minutes / members, 2),
    });
  }
  for (const [client, value] of Object.entries(others)) {
    if (value === 0)
      rows.push({ from: client, to: '-', category: 'other writes (expected 0)', verb: '-', resource: '-', 'per minute': 0, 'per member per minute': 0 });
  }
  rows.sort((a, b) => String(a.category).localeCompare(String(b.category)) || String(a.from).localeCompare(String(b.from)));
  return {
    title: `Steady state, N = ${String(members)}: requests per minute over ${String(round(minutes, 1))} min with nothing changing`,
    columns: ['category', 'from', 'to', 'verb', 'resource', 'per minute', 'per member per minute'],
    rows,
    notes: [
      'Lease renewals: the hub and each operator renew their leader Lease (retry period 2 s).',
      "MemberCluster heartbeat: the hub rewrites a member's status at most every 5 min when nothing else changed (lastProbeTime).",
      'access reviews: every member gets one SelfSubjectAccessReview per probe interval (35 s), each at its own phase of it (its census); the review (at connect, then every 30 min) adds two more and a SelfSubjectRulesReview; POSTs, never stored.',
      'reads: reviews (version), and watches re-opened when the server ends them (a random 5–10 min).',
    ],
  };
}
