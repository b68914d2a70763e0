import { DNSEndpoints } from '@promfleet/hub';
import { MemberClusters, PrometheusClusters, PrometheusReplicas } from '@promfleet/api';
import { CoreEvents, ResourceClient, type KubeClient, type KubeObject, type ResourceType } from '@promfleet/kube/client';

/**
 * A fingerprint of everything a hub writes: the resourceVersion of every PrometheusCluster,
 * MemberCluster, DNSEndpoint and hub-reported Event in the hub (only the hub writes those), and the
 * generation and labels of every PrometheusReplica in the members (their status belongs to the
 * operators). Two equal fingerprints mean no hub wrote anything in between.
 */
export async function hubWrittenState(hub: KubeClient, members: ReadonlyMap<string, KubeClient>): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  const record = async (
    client: KubeClient,
    type: ResourceType,
    prefix: string,
    value: (object: KubeObject) => string,
    keep = (_object: KubeObject) => true,
  ): Promise<void> => {
    for (const object of (await new ResourceClient(client, type).list()).items.filter(keep)) {
      state[`${prefix}${type.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`] = value(object);
    }
  };
  const version = (object: KubeObject) => object.metadata?.resourceVersion ?? '';
  await Promise.all([
    record(hub, PrometheusClusters as ResourceType, '', version),
    record(hub, MemberClusters as ResourceType, '', version),
    record(hub, DNSEndpoints as ResourceType, '', version),
    record(hub, CoreEvents as ResourceType, '', version, (event) => (event as { reportingComponent?: string }).reportingComponent === 'promfleet-hub'),
    ...[...members].map(([name, client]) =>
      record(client, PrometheusReplicas as ResourceType, `${name}:`, (object) => JSON.stringify([object.metadata?.generation, object.metadata?.labels])),
    ),
  ]);
  return state;
}
