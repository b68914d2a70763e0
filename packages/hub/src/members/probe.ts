import { GROUP, PROMETHEUS_REPLICA, reviewScope } from '@promfleet/api';
import { canI, errorMessage, isConnectionError, isUnauthorized, rulesIn, serverVersion, type KubeClient } from '@promfleet/kube/client';

export type ProbeProblem = 'Unreachable' | 'Unauthorized' | 'CredentialExpired';

/** One probe of a member through its scoped credential. */
export interface ProbeResult {
  readonly at: Date;
  readonly ok: boolean;
  readonly problem?: { readonly reason: ProbeProblem; readonly message: string };
  readonly kubernetesVersion?: string;
  /** Rules beyond managing PrometheusReplicas in the namespace (`get secrets`, `get /metrics`, ...). */
  readonly excess?: readonly string[];
  /** Why the rules review cannot prove the credential's scope (an incomplete review), if it cannot. */
  readonly unverifiable?: string;
  /** The credential may list PrometheusReplicas in every namespace: it is not confined to one. */
  readonly clusterWide?: boolean;
}

const replicas = { group: GROUP, resource: PROMETHEUS_REPLICA.plural, verb: 'list' } as const;

/**
 * Reachable, authorized in its namespace, and scoped: the version, a SelfSubjectAccessReview for
 * listing replicas in the namespace and in all namespaces, and a SelfSubjectRulesReview (resource
 * and non-resource rules, and whether it is complete) — in parallel, each bounded by `timeoutMs`.
 * The first failure ends the others: a member that answers badly costs one bounded error per probe.
 */
export async function probeMember(client: KubeClient, namespace: string, expiresAt: Date | undefined, timeoutMs: number): Promise<ProbeResult> {
  const at = new Date();
  const abort = new AbortController();
  const options = { timeoutMs, signal: abort.signal };
  const failFast = <T>(request: Promise<T>): Promise<T> =>
    request.catch((error: unknown) => {
      abort.abort();
      throw error;
    });
  try {
    const [kubernetesVersion, authorized, clusterWide, rules] = await Promise.all([
      failFast(serverVersion(client, options)),
      failFast(canI(client, { ...replicas, namespace }, options)),
      failFast(canI(client, replicas, options)),
      failFast(rulesIn(client, namespace, options)),
    ]);
    if (!authorized) {
      return {
        at,
        ok: false,
        kubernetesVersion,
        problem: { reason: 'Unauthorized', message: `the credential may not list prometheusreplicas in ${namespace} (was its RoleBinding removed?)` },
      };
    }
    const scope = reviewScope(rules);
    return { at, ok: true, kubernetesVersion, excess: scope.excess, ...(scope.unverifiable ? { unverifiable: scope.unverifiable } : {}), clusterWide };
  } catch (error) {
    if (isUnauthorized(error)) {
      const expired = expiresAt !== undefined && expiresAt.getTime() <= at.getTime();
      return {
        at,
        ok: false,
        problem: expired
          ? { reason: 'CredentialExpired', message: `the credential expired at ${expiresAt.toISOString()}; issue a new one with promfleet join --rotate` }
          : { reason: 'Unauthorized', message: 'the member rejects the credential (401): its token was revoked or its ServiceAccount deleted' },
      };
    }
    const message = isConnectionError(error) ? error.message : errorMessage(error);
    return { at, ok: false, problem: { reason: 'Unreachable', message } };
  }
}
