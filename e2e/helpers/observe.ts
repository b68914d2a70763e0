import { API_VERSION, type Condition, type MemberEntry, type PrometheusCluster, PrometheusReplicas } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { CoreEvents, ResourceClient, type KubeClient, type KubeObject } from '@promfleet/kube/client';

import { MEMBER_NAMESPACE } from './promfleet-fleet.ts';

/** A PrometheusCluster in `default` from the regions' standard inputs; `spec` adds or overrides. */
export function prometheusCluster(name: string, spec: Record<string, unknown>): PrometheusCluster {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name, namespace: 'default' },
    spec: { configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  } as unknown as PrometheusCluster;
}

export const conditionOf = (
  object: { status?: { conditions?: readonly Condition[] | undefined } | undefined } | undefined,
  type: string,
): Condition | undefined => object?.status?.conditions?.find((condition) => condition.type === type);

export const entryOf = (cluster: PrometheusCluster | undefined, member: string): MemberEntry | undefined =>
  cluster?.status?.clusters?.find((entry) => entry.name === member);

/** Every target of every record in the status, sorted. */
export const statusTargets = (cluster: PrometheusCluster | undefined): string[] =>
  (cluster?.status?.endpoints ?? []).flatMap((record) => record.targets).sort();

/** The targets external-dns would publish from the hub's DNSEndpoint for `default/name`. */
export async function dnsEndpointTargets(hub: KubeClient, name: string): Promise<string[]> {
  const endpoint = await new ResourceClient(hub, DNSEndpoints).get(name, 'default');
  return (endpoint?.spec?.endpoints ?? []).flatMap((record) => record.targets).sort();
}

/** The targets an endpoints API (`url`: the hub or an api replica) serves for `default/name`. */
export async function apiTargets(url: string, name: string, headers: Record<string, string> = {}): Promise<string[]> {
  const response = await fetch(`${url}/api/v1/endpoints/default/${name}`, { headers, signal: AbortSignal.timeout(5_000) });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}`);
  const body = (await response.json()) as { endpoints: { targets: string[] }[] };
  return body.endpoints.flatMap((record) => record.targets).sort();
}

/** Events about one object, oldest first (cluster-scoped objects' Events live in `default`). */
export async function eventsAbout(
  client: KubeClient,
  object: { kind: string; name: string; namespace?: string | undefined },
): Promise<{ type: string; reason: string; message: string }[]> {
  const events = await new ResourceClient(client, CoreEvents).list({
    namespace: object.namespace ?? 'default',
    fieldSelector: `involvedObject.kind=${object.kind},involvedObject.name=${object.name}`,
  });
  return events.items
    .sort((a, b) => (a.firstTimestamp ?? '').localeCompare(b.firstTimestamp ?? ''))
    .map((event) => ({ type: event.type ?? '', reason: event.reason ?? '', message: event.message ?? '' }));
}

/** The PrometheusReplicas in a member's namespace, by name. */
export async function replicasIn(member: KubeClient): Promise<Map<string, KubeObject>> {
  const list = await new ResourceClient(member, PrometheusReplicas).list({ namespace: MEMBER_NAMESPACE });
  return new Map(list.items.map((replica) => [replica.metadata.name, replica]));
}

/** Whether the process answers /healthz with 200. */
export async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}
