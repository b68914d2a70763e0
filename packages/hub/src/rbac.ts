import { GROUP, MEMBER_CLUSTER, PROMETHEUS_CLUSTER, PROMETHEUS_CLUSTER_SHARD } from '@promfleet/api';

/**
 * What the hub may do in the hub cluster, exactly. Members are reached with their own scoped
 * credentials, never with these. The Helm chart renders both, and a test checks them.
 */
export const HUB_CLUSTER_RULES = [
  { apiGroups: [GROUP], resources: [PROMETHEUS_CLUSTER.plural, MEMBER_CLUSTER.plural], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
  { apiGroups: [GROUP], resources: [`${PROMETHEUS_CLUSTER.plural}/status`, `${MEMBER_CLUSTER.plural}/status`], verbs: ['get', 'patch', 'update'] },
  // Where a PrometheusCluster's members are too many for its status (docs/scale.md#status-shards).
  { apiGroups: [GROUP], resources: [PROMETHEUS_CLUSTER_SHARD.plural], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: [GROUP], resources: [`${PROMETHEUS_CLUSTER_SHARD.plural}/status`], verbs: ['get', 'patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['externaldns.k8s.io'], resources: ['dnsendpoints'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
  // The file-SD ConfigMap of each PrometheusCluster with a StoreAPI, in its namespace (a global Thanos Query mounts it).
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  // The revisions the members are pinned to, beside their PrometheusClusters (docs/rollout.md).
  { apiGroups: ['apps'], resources: ['controllerrevisions'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
] as const;

/**
 * In the hub's own namespace only: the member credential Secrets (read; deleted when their
 * MemberCluster goes and `promfleet join` made them) and the leader Lease.
 */
export const HUB_NAMESPACE_RULES = [
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
] as const;
