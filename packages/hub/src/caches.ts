import {
  MemberClusters,
  PrometheusClusters,
  PrometheusClusterShards,
  type MemberCluster,
  type PrometheusCluster,
  type PrometheusClusterShard,
} from '@promfleet/api';
import { Informer } from '@promfleet/kube/cache';
import { ResourceClient, Secrets, type KubeClient } from '@promfleet/kube/client';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import type { ISecret } from 'kubernetes-models/v1';

export interface HubCacheOptions {
  /** Where the credential Secrets are. */
  readonly namespace: string;
  /** Only PrometheusClusters here; absent: every namespace. */
  readonly watchNamespace?: string | undefined;
  readonly metrics?: KitMetrics;
  readonly logger?: Logger;
}

/**
 * The hub's caches: MemberClusters (by the Secret they name), PrometheusClusters (by baseDomain
 * and by name), their shards (by PrometheusCluster) and the credential Secrets of the hub's namespace.
 */
export function createHubCaches(client: KubeClient, options: HubCacheOptions) {
  const common = { ...(options.metrics ? { metrics: options.metrics } : {}), ...(options.logger ? { logger: options.logger } : {}) };
  return {
    members: new Informer(new ResourceClient(client, MemberClusters), {
      ...common,
      indexers: { secret: (member: MemberCluster) => [`${member.spec.kubeconfigSecretRef.namespace}/${member.spec.kubeconfigSecretRef.name}`] },
    }),
    clusters: new Informer(new ResourceClient(client, PrometheusClusters), {
      ...common,
      namespace: options.watchNamespace,
      indexers: {
        baseDomain: (cluster: PrometheusCluster) => (cluster.spec.baseDomain ? [cluster.spec.baseDomain] : []),
        name: (cluster: PrometheusCluster) => [cluster.metadata.name],
      },
    }),
    shards: new Informer(new ResourceClient(client, PrometheusClusterShards), {
      ...common,
      namespace: options.watchNamespace,
      indexers: { cluster: (shard: PrometheusClusterShard) => [shardClusterKey(shard)] },
    }),
    secrets: new Informer<ISecret>(new ResourceClient(client, Secrets), { ...common, namespace: options.namespace }),
  };
}

export type HubCaches = ReturnType<typeof createHubCaches>;

/** The `namespace/name` of the PrometheusCluster whose members a shard holds. */
export function shardClusterKey(shard: PrometheusClusterShard): string {
  return `${shard.metadata.namespace ?? ''}/${shard.spec.cluster}`;
}
