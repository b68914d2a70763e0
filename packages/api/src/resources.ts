import { GROUP, MEMBER_CLUSTER, PROMETHEUS_CLUSTER, PROMETHEUS_CLUSTER_SHARD, PROMETHEUS_REPLICA, VERSION, type KindInfo } from './constants.ts';
import type { MemberCluster } from './schemas/member-cluster.ts';
import type { PrometheusCluster } from './schemas/prometheus-cluster.ts';
import type { PrometheusClusterShard } from './schemas/prometheus-cluster-shard.ts';
import type { PrometheusReplica } from './schemas/prometheus-replica.ts';

/**
 * Where a promfleet kind lives in the API, in the shape of @promfleet/kube's `ResourceType`
 * (which this package does not depend on): pass one to the kit's `ResourceClient`. `_object`
 * only carries the object's type.
 */
export interface PromfleetResource<T> {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly _object?: T;
}

function resource<T>(info: KindInfo): PromfleetResource<T> {
  return { group: GROUP, version: VERSION, plural: info.plural, kind: info.kind, namespaced: info.namespaced };
}

export const PrometheusReplicas = resource<PrometheusReplica>(PROMETHEUS_REPLICA);
export const PrometheusClusters = resource<PrometheusCluster>(PROMETHEUS_CLUSTER);
export const MemberClusters = resource<MemberCluster>(MEMBER_CLUSTER);
export const PrometheusClusterShards = resource<PrometheusClusterShard>(PROMETHEUS_CLUSTER_SHARD);
