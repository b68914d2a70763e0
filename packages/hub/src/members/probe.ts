import { GROUP, PROMETHEUS_REPLICA, reviewScope } from '@promfleet/api';
import { canI, errorMessage, isConnectionError, isUnauthorized, rulesIn, serverVersion, type KubeClient } from '@promfleet/kube/client';

import type { ProbeKind } from './liveness.ts';

export type ProbeProblem = 'Unreachable' | 'Unauthorized' | 'CredentialExpired';

/** One probe (or review) of a member through its scoped credential. */
export interface ProbeResult {
  readonly at: Date;
  readonly kind: ProbeKind;
  readonly ok: boolean;
  readonly problem?: { readonly reason: ProbeProblem; readonly message: string };
  /** What a review found (a probe finds none of it). */
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
 * The cheap probe: ONE namespaced SelfSubjectAccessReview for `list prometheusreplicas`. It proves
 * the member answers, authenticates the credential (a revoked token or expired certificate gets
 * 401) and authorizes what the hub needs (a removed RoleBinding answers allowed=false), at the
 * cost of an authorizer lookup: no storage read, and a small answer whatever the namespace holds.
 * A `list ?limit=1` would prove the same but reads etcd (a limited list is not served from the
 * watch cache) and returns an object the hub already has.
 *
 * The review: the version, the same access review, one for every namespace and a
 * SelfSubjectRulesReview (resource and non-resource rules, and whether it is complete) — in
 * parallel. The first failure ends the others: a member that answers badly costs one bounded
 * error. Each request is bounded by `timeoutMs`.
 */
export async function probeMember(
  client: KubeClient,
  kind: ProbeKind,
  namespace: string,
  expiresAt: Date | undefined,
  timeoutMs: number,
): Promise<ProbeResult> {
  const at = new Date();
  try {
    // One request: nothing to end early, so no signal (a roll call is a thousand of these in half a second).
    if (kind === 'probe') {
      return (await canI(client, { ...replicas, namespace }, { timeoutMs })) ? { at, kind, ok: true } : unauthorized(at, kind, namespace);
    }
    const abort = new AbortController();
    const options = { timeoutMs, signal: abort.signal };
    const failFast = <T>(request: Promise<T>): Promise<T> =>
      request.catch((error: unknown) => {
        abort.abort();
        throw error;
      });
    const [kubernetesVersion, authorized, clusterWide, rules] = await Promise.all([
      failFast(serverVersion(client, options)),
      failFast(canI(client, { ...replicas, namespace }, options)),
      failFast(canI(client, replicas, options)),
      failFast(rulesIn(client, namespace, options)),
    ]);
    if (!authorized) return { ...unauthorized(at, kind, namespace), kubernetesVersion };
    const scope = reviewScope(rules);
    return { at, kind, ok: true, kubernetesVersion, excess: scope.excess, ...(scope.unverifiable ? { unverifiable: scope.unverifiable } : {}), clusterWide };
  } catch (error) {
    if (isUnauthorized(error)) {
      const expired = expiresAt !== undefined && expiresAt.getTime() <= at.getTime();
      return {
        at,
        kind,
        ok: false,
        problem: expired
          ? { reason: 'CredentialExpired', message: `the credential expired at ${expiresAt.toISOString()}; issue a new one with promfleet join --rotate` }
          : { reason: 'Unauthorized', message: 'the member rejects the credential (401): its token was revoked or its ServiceAccount deleted' },
      };
    }
    const message = isConnectionError(error) ? error.message : errorMessage(error);
    return { at, kind, ok: false, problem: { reason: 'Unreachable', message } };
  }
}

function unauthorized(at: Date, kind: ProbeKind, namespace: string): ProbeResult {
  return {
    at,
    kind,
    ok: false,
    problem: { reason: 'Unauthorized', message: `the credential may not list prometheusreplicas in ${namespace} (was its RoleBinding removed?)` },
  };
}
