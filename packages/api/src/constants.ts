/** API group, version, kinds and the names every promfleet component agrees on. */

export const GROUP = 'promfleet.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const CATEGORY = 'promfleet';

export interface KindInfo {
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  /**
   * `pf` (promfleet) and the kind's own word: `pr`, `pc` and `mc` are Tekton's PipelineRun, the
   * built-in PriorityClass and OpenShift's MachineConfig. Checked against the API server's
   * discovery and well-known CRDs (packages/api/test).
   */
  readonly shortName: string;
  readonly namespaced: boolean;
}

export const PROMETHEUS_REPLICA = {
  kind: 'PrometheusReplica',
  listKind: 'PrometheusReplicaList',
  plural: 'prometheusreplicas',
  singular: 'prometheusreplica',
  shortName: 'pfr',
  namespaced: true,
} as const satisfies KindInfo;

export const PROMETHEUS_CLUSTER = {
  kind: 'PrometheusCluster',
  listKind: 'PrometheusClusterList',
  plural: 'prometheusclusters',
  singular: 'prometheuscluster',
  shortName: 'pfc',
  namespaced: true,
} as const satisfies KindInfo;

export const MEMBER_CLUSTER = {
  kind: 'MemberCluster',
  listKind: 'MemberClusterList',
  plural: 'memberclusters',
  singular: 'membercluster',
  shortName: 'pfm',
  namespaced: false,
} as const satisfies KindInfo;

export const PROMETHEUS_CLUSTER_SHARD = {
  kind: 'PrometheusClusterShard',
  listKind: 'PrometheusClusterShardList',
  plural: 'prometheusclustershards',
  singular: 'prometheusclustershard',
  shortName: 'pfcs',
  namespaced: true,
} as const satisfies KindInfo;

export const KINDS = [PROMETHEUS_REPLICA, PROMETHEUS_CLUSTER, MEMBER_CLUSTER, PROMETHEUS_CLUSTER_SHARD] as const;
export type KindName = (typeof KINDS)[number]['kind'];

/** Labels the hub puts on every PrometheusReplica it manages in a member. */
export const LABELS = {
  managedBy: `${GROUP}/managed-by`,
  hubNamespace: `${GROUP}/hub-namespace`,
  hubName: `${GROUP}/hub-name`,
  member: `${GROUP}/member`,
  /** On a PrometheusClusterShard (and its DNSEndpoint): the PrometheusCluster whose members it holds. */
  prometheusCluster: `${GROUP}/prometheus-cluster`,
} as const;

/** Value of `promfleet.io/managed-by` on hub-managed replicas. */
export const MANAGED_BY_HUB = 'promfleet-hub';

export const ANNOTATIONS = {
  /** On a hub-managed replica: the ControllerRevision (in the hub) it is pinned to, and since when. */
  revision: `${GROUP}/revision`,
  revisionTime: `${GROUP}/revision-time`,
  /** Hash of the bucket Secret's objstore.yml on the Prometheus pod template: a change rolls the pods. */
  bucketSecretHash: `${GROUP}/bucket-secret-hash`,
  /** Hash of the Grafana admin Secret's values on the Grafana pod template: a change rolls Grafana. */
  grafanaAdminHash: `${GROUP}/grafana-admin-hash`,
  /** Hash of the rendered Prometheus config, on the owned config ConfigMap, for change detection. */
  configHash: `${GROUP}/config-hash`,
  /**
   * Hash of the object a controller last applied, on the object itself: a desired object with
   * the same hash whose fields are all present in the live object needs no request, even after
   * a restart, and a changed hash catches fields the controller stopped setting.
   */
  appliedHash: `${GROUP}/applied-hash`,
  /** On a hub-managed PrometheusReplica: the PrometheusCluster generation it was built from. */
  sourceGeneration: `${GROUP}/source-generation`,
  /** On a MemberCluster being deleted: leave its PrometheusReplicas in the member. */
  keepReplicas: `${GROUP}/keep-replicas`,
} as const;

/** One server-side-apply field manager per writer, so ownership of every field is attributable. */
export const FIELD_MANAGERS = {
  hub: 'promfleet-hub',
  replicaOperator: 'promfleet-replica-operator',
  cli: 'promfleet-cli',
} as const;

export const FINALIZERS = {
  /** On a PrometheusCluster or a MemberCluster: its member replicas are deleted before it goes. */
  memberReplicas: `${GROUP}/member-replicas`,
} as const;

/** Defaults shared by the schemas, the controllers and the CLI. */
export const DEFAULTS = {
  configMapKey: 'prometheus.yml',
  bucketSecretKey: 'objstore.yml',
  retention: '24h',
  blockDuration: '2h',
  dnsTTL: 30,
  /** Envoy's panic threshold: below half the published members reachable, the hub holds its records. */
  dnsMinHealthyPercent: 50,
  memberNamespace: 'monitoring',
  hubNamespace: 'promfleet-system',
  kubeconfigKey: 'kubeconfig',
} as const;

/**
 * Longest name a PrometheusReplica (and so a PrometheusCluster, whose name its replicas take)
 * may have. Its StatefulSets are named `<name>-thanos-store` (13 more characters), and the
 * StatefulSet controller labels pods with `controller-revision-hash=<statefulset>-<hash of up
 * to 10>`, a label value limited to 63 characters: 63 - 11 - 13 = 39.
 */
export const MAX_REPLICA_NAME_LENGTH = 39;

/** External labels the operator sets itself; users may not set them in `spec.externalLabels`. */
export const RESERVED_EXTERNAL_LABELS = ['cluster', 'replica'] as const;

/**
 * The member credential's lifecycle, stated once for `join`, the hub, the CLI and the docs:
 * tokens live `tokenTTLDays` (join's `--token-ttl` default); `join` renews a stored token with
 * fewer than `renewWithinDays` left; the hub raises `CredentialExpiring` (and the chart's alert
 * fires) `expiringWithinDays` before expiry. Re-running `join` every `joinIntervalDays` therefore
 * renews every token while it still has more than 30 - 7 = 23 days: never inside the expiring
 * window, so the alert means the job stopped.
 */
export const CREDENTIAL_LIFECYCLE = {
  tokenTTLDays: 365,
  renewWithinDays: 30,
  expiringWithinDays: 7,
  joinIntervalDays: 7,
} as const;

export const DAY_MS = 86_400_000;
