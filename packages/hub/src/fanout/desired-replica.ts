import {
  ANNOTATIONS,
  API_VERSION,
  LABELS,
  MANAGED_BY_HUB,
  PROMETHEUS_REPLICA,
  type MemberCluster,
  type PrometheusCluster,
  type PrometheusReplica,
  type ReplicaTemplate,
} from '@promfleet/api';

/** The replica fields a PrometheusCluster passes on, in the order the replica spec lists them. */
const TEMPLATE_FIELDS = [
  'configMap',
  'configMapKey',
  'highlyAvailable',
  'baseDomain',
  'metrics',
  'bucketSecret',
  'externalLabels',
  'storage',
  'images',
  'resources',
  'grafana',
  'ingress',
  'kubernetesDiscovery',
  'networkPolicy',
  'storeAPI',
  'rules',
  'alertmanagers',
  'compaction',
] as const satisfies readonly (keyof PrometheusCluster['spec'] & keyof PrometheusReplica['spec'])[];

/** A member's own template (its revision's, merged for it), the revision's name, since when it has it, and the generation that revision came from. */
export interface PinnedTemplate {
  readonly template: ReplicaTemplate;
  readonly revision: string;
  readonly since: string;
  readonly sourceGeneration: number;
}

/**
 * The PrometheusReplica the hub wants in a member: named after the PrometheusCluster, in the
 * member's namespace, with the cluster's replica fields, `clusterName` = the member's name, `paused: false`, the
 * labels that mark it as the hub's, and the generation it came from (for `observedGeneration`).
 * The pinned template is the member's own: overrides merged, member placeholders (`storeAPI.host`
 * among them) filled in by memberTemplate.
 */
export function desiredReplica(cluster: PrometheusCluster, member: MemberCluster, pinned?: PinnedTemplate): PrometheusReplica {
  const spec: Record<string, unknown> = {};
  const source: Partial<ReplicaTemplate> = pinned?.template ?? cluster.spec;
  for (const field of TEMPLATE_FIELDS) {
    if (source[field] !== undefined) spec[field] = source[field];
  }
  spec.clusterName = member.metadata.name;
  // Stated, not left to the default, so the hub owns it: a pause set by hand in a member (which
  // would keep that member out of DNS for good) is drift, and reverted like any other.
  spec.paused = false;
  return {
    apiVersion: API_VERSION,
    kind: PROMETHEUS_REPLICA.kind,
    metadata: {
      name: cluster.metadata.name,
      namespace: member.spec.namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY_HUB,
        [LABELS.hubNamespace]: cluster.metadata.namespace ?? '',
        [LABELS.hubName]: cluster.metadata.name,
        [LABELS.member]: member.metadata.name,
      },
      annotations: {
        [ANNOTATIONS.sourceGeneration]: String(pinned?.sourceGeneration ?? cluster.metadata.generation ?? 0),
        ...(pinned ? { [ANNOTATIONS.revision]: pinned.revision, [ANNOTATIONS.revisionTime]: pinned.since } : {}),
      },
    },
    spec: spec as PrometheusReplica['spec'],
  };
}

/** Whether a replica in a member is this PrometheusCluster's (and so the hub's to change). */
export function isManagedBy(replica: PrometheusReplica, cluster: { namespace: string; name: string }): boolean {
  const labels = replica.metadata.labels ?? {};
  return labels[LABELS.managedBy] === MANAGED_BY_HUB && labels[LABELS.hubNamespace] === cluster.namespace && labels[LABELS.hubName] === cluster.name;
}

/** The PrometheusCluster (`namespace/name`) a hub-managed replica belongs to, if any. */
export function ownerKey(replica: PrometheusReplica): string | undefined {
  const labels = replica.metadata.labels ?? {};
  if (labels[LABELS.managedBy] !== MANAGED_BY_HUB) return undefined;
  const namespace = labels[LABELS.hubNamespace];
  const name = labels[LABELS.hubName];
  return namespace && name ? `${namespace}/${name}` : undefined;
}
