import { API_VERSION, GROUP, PROMETHEUS_REPLICA, reviewScope, VERSION, type PrometheusReplicaSpecInput } from '@promfleet/api';
import { isForbidden, isUnauthorized, ResourceClient, resourceType, rulesIn, Secrets, type KubeClient, type KubeObject } from '@promfleet/kube/client';

/** What a credential was found able to do beyond managing PrometheusReplicas in its namespace. */
export interface CredentialVerdict {
  /** It may create PrometheusReplicas in its namespace (checked with a server-side dry run). */
  readonly canManageReplicas: boolean;
  /** Why it may not, when it may not. */
  readonly replicaDenial?: string;
  /** Everything it may do beyond that, e.g. `get secrets`, `get /metrics`, `list prometheusreplicas.promfleet.io in default`. */
  readonly excess: readonly string[];
  /** Why its rules review cannot prove the scope (a webhook authorizer, a binding to a missing role), if it cannot. */
  readonly unverifiable: string | undefined;
}

const REPLICA_RESOURCE = `${PROMETHEUS_REPLICA.plural}.${GROUP}`;
const PROBE_NAME = 'promfleet-join-check';

/** PrometheusReplicas as written (defaults not yet applied), for the dry-run create. */
const ReplicaInputs = resourceType<KubeObject & { spec: PrometheusReplicaSpecInput }>(GROUP, VERSION, PROMETHEUS_REPLICA.plural, PROMETHEUS_REPLICA.kind, true);

/**
 * Checks a credential with its own identity: a dry-run create of a PrometheusReplica must pass;
 * Secrets in its namespace, PrometheusReplicas in another namespace and across all namespaces
 * must be denied; and its SelfSubjectRulesReview must show nothing beyond the Role, in resource
 * and non-resource rules alike, and be complete.
 */
export async function verifyCredential(client: KubeClient, namespace: string): Promise<CredentialVerdict> {
  const replicas = new ResourceClient(client, ReplicaInputs);
  const otherNamespace = namespace === 'default' ? 'kube-system' : 'default';
  const [create, secrets, elsewhere, everywhere, review] = await Promise.all([
    attempt(() =>
      replicas.create(
        {
          apiVersion: API_VERSION,
          kind: PROMETHEUS_REPLICA.kind,
          metadata: { name: PROBE_NAME, namespace },
          spec: { configMap: PROBE_NAME, bucketSecret: PROBE_NAME },
        },
        { dryRun: true },
      ),
    ),
    attempt(() => new ResourceClient(client, Secrets).list({ namespace, limit: 1 })),
    attempt(() => replicas.list({ namespace: otherNamespace, limit: 1 })),
    attempt(() => replicas.list({ limit: 1 })),
    rulesIn(client, namespace),
  ]);
  const scope = reviewScope(review);
  const excess = new Set(scope.excess);
  if (secrets === 'allowed') excess.add('list secrets');
  if (elsewhere === 'allowed') excess.add(`list ${REPLICA_RESOURCE} in ${otherNamespace}`);
  if (everywhere === 'allowed') excess.add(`list ${REPLICA_RESOURCE} in all namespaces`);
  return {
    canManageReplicas: create === 'allowed',
    ...(create === 'allowed' ? {} : { replicaDenial: `create ${REPLICA_RESOURCE} in ${namespace} was denied` }),
    excess: [...excess].sort(),
    unverifiable: scope.unverifiable,
  };
}

/**
 * The excess rules grouped by resource, for one readable line: `get/list/watch secrets, list
 * prometheusreplicas.promfleet.io in default` rather than one entry per verb.
 */
export function describeExcess(excess: readonly string[]): string {
  const verbsByResource = new Map<string, string[]>();
  for (const entry of excess) {
    const space = entry.indexOf(' ');
    const resource = entry.slice(space + 1);
    verbsByResource.set(resource, [...(verbsByResource.get(resource) ?? []), entry.slice(0, space)]);
  }
  return [...verbsByResource].map(([resource, verbs]) => `${verbs.join('/')} ${resource}`).join(', ');
}

/** Allowed, or denied with 403; anything else (401, unreachable, an invalid object) is an error. */
async function attempt(request: () => Promise<unknown>): Promise<'allowed' | 'denied'> {
  try {
    await request();
    return 'allowed';
  } catch (error) {
    if (isForbidden(error)) return 'denied';
    if (isUnauthorized(error)) throw new Error('the member does not accept the new token (401 Unauthorized)', { cause: error });
    throw error;
  }
}
