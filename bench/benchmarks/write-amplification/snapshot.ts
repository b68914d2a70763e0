import type { KitMetrics } from '@promfleet/kube/observability';
import { parseMetricsText, type MetricSample } from '@promfleet/testkit';

import type { BenchFleet } from '../../lib/bench-fleet.ts';
import { apiServerMetrics, apiServerRequests, controllerMetrics, counterDelta, kitRequests } from '../../lib/scrape.ts';

/** Who sent a request: the hub, the replica operators, or the benchmark (the spec patch, the floor's applies). */
export type Client = 'hub' | 'operators' | 'bench';
/** Which API servers received it. */
export type Target = 'hub' | 'members';

const WORK_METRICS = ['promfleet_reconcile_total', 'promfleet_reconcile_duration_seconds_sum', 'promfleet_process_cpu_seconds_total'];

/** Every request counter and work counter of the fleet at one moment. */
export interface Snapshot {
  /** The kit's counters, labelled with `client` and `target`. */
  readonly kit: MetricSample[];
  /** kube-apiserver's counters, labelled with `target`. */
  readonly apiServers: MetricSample[];
  /** Reconciles and CPU seconds of the controller processes, labelled with `client`. */
  readonly work: MetricSample[];
}

const withLabels = (samples: readonly MetricSample[], extra: Record<string, string>): MetricSample[] =>
  samples.map((sample) => ({ ...sample, labels: { ...sample.labels, ...extra } }));

export async function snapshot(bench: BenchFleet, benchMetrics: readonly KitMetrics[]): Promise<Snapshot> {
  const [hubText, operatorTexts, benchTexts, hubServer, memberServers] = await Promise.all([
    controllerMetrics(bench.hubProcess.url),
    Promise.all(bench.operators.map((operator) => controllerMetrics(operator.url))),
    Promise.all(benchMetrics.map((metrics) => metrics.registry.metrics())),
    apiServerMetrics(bench.hubCluster),
    Promise.all(bench.servers.map((server) => apiServerMetrics(server))),
  ]);
  const targetOf = (sample: MetricSample): Target => (sample.labels.cluster === 'hub' ? 'hub' : 'members');
  const kit = (client: Client, text: string) =>
    kitRequests(text).map((sample) => ({ ...sample, labels: { ...sample.labels, client, target: client === 'operators' ? 'members' : targetOf(sample) } }));
  return {
    kit: [...kit('hub', hubText), ...operatorTexts.flatMap((text) => kit('operators', text)), ...benchTexts.flatMap((text) => kit('bench', text))],
    apiServers: [
      ...withLabels(apiServerRequests(hubServer), { target: 'hub' }),
      ...memberServers.flatMap((text) => withLabels(apiServerRequests(text), { target: 'members' })),
    ],
    work: [
      ...withLabels(parseMetricsText(hubText, WORK_METRICS), { client: 'hub' }),
      ...operatorTexts.flatMap((text) => withLabels(parseMetricsText(text, WORK_METRICS), { client: 'operators' })),
    ],
  };
}

/** The kit's requests between two snapshots, by `client|target|verb|resource`. */
export function kitDelta(before: Snapshot, after: Snapshot): Map<string, number> {
  return counterDelta(before.kit, after.kit, ({ labels }) => [labels.client, labels.target, labels.verb, labels.resource].join('|'));
}

/** kube-apiserver's verbs in the kit's words. */
const VERBS: Readonly<Record<string, string>> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  APPLY: 'apply',
  DELETE: 'delete',
  DELETECOLLECTION: 'deletecollection',
  GET: 'get',
  LIST: 'list',
  WATCH: 'watch',
};

/** kube-apiserver's requests between two snapshots, by `target|verb|resource` (subresources counted with their resource). */
export function apiServerDelta(before: Snapshot, after: Snapshot): Map<string, number> {
  return counterDelta(before.apiServers, after.apiServers, ({ labels }) => [labels.target, VERBS[labels.verb ?? ''] ?? labels.verb, labels.resource].join('|'));
}

/** Reconciles and CPU seconds between two snapshots, by `client|metric|controller`. */
export function workDelta(before: Snapshot, after: Snapshot): Map<string, number> {
  return counterDelta(before.work, after.work, ({ name, labels }) => [labels.client, name, labels.controller ?? ''].join('|'));
}
