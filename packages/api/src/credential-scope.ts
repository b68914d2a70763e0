import { GROUP, PROMETHEUS_REPLICA } from './constants.ts';

/**
 * What the hub's credential in a member may do, and how to tell whether a credential can do
 * more. The Role `promfleet join` creates grants exactly REPLICA_RULES; every authenticated
 * identity also gets the discovery and self-review rules Kubernetes' default ClusterRoles
 * (system:basic-user, system:discovery, system:public-info-viewer) grant.
 */

export interface Rule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[] | undefined;
  readonly resources?: readonly string[] | undefined;
  readonly resourceNames?: readonly string[] | undefined;
  /** Paths outside the resource API (`/metrics`, `/logs/*`), granted by ClusterRoles. */
  readonly nonResourceURLs?: readonly string[] | undefined;
}

export const REPLICA_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

/** The Role rules of the hub's member credential: PrometheusReplicas in one namespace, nothing else. */
export const REPLICA_RULES: readonly Rule[] = [
  { apiGroups: [GROUP], resources: [PROMETHEUS_REPLICA.plural], verbs: REPLICA_VERBS },
  { apiGroups: [GROUP], resources: [`${PROMETHEUS_REPLICA.plural}/status`], verbs: ['get'] },
];

/** Rules every authenticated identity has on a default cluster. */
const DEFAULT_USER_RULES: readonly Rule[] = [
  { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  // Kubernetes 1.28+: system:basic-user may also review its own identity.
  { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
];

/**
 * Non-resource URLs every authenticated identity may GET: discovery and version
 * (system:discovery, system:public-info-viewer) and the service-account issuer's public keys
 * (system:service-account-issuer-discovery).
 */
const DEFAULT_NON_RESOURCE_URLS: ReadonlySet<string> = new Set([
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/readyz',
  '/version',
  '/version/',
  '/openapi',
  '/openapi/*',
  '/.well-known/openid-configuration',
  '/.well-known/openid-configuration/',
  '/openid/v1/jwks',
  '/openid/v1/jwks/',
]);

/** The service account, Role and RoleBinding `promfleet join` creates in a member. */
export const MEMBER_CREDENTIAL = {
  serviceAccount: 'promfleet-hub',
  role: 'promfleet-hub',
  roleBinding: 'promfleet-hub',
} as const;

function covered(rule: Rule, allowed: readonly Rule[], group: string, resource: string, verb: string): boolean {
  return allowed.some(
    (grant) =>
      (grant.apiGroups ?? ['']).includes(group) &&
      (grant.resources ?? []).includes(resource) &&
      grant.verbs.includes(verb) &&
      // A grant limited to names covers only rules limited to a subset of those names.
      (grant.resourceNames === undefined ||
        grant.resourceNames.length === 0 ||
        (rule.resourceNames !== undefined && rule.resourceNames.length > 0 && rule.resourceNames.every((name) => grant.resourceNames?.includes(name)))),
  );
}

/**
 * The rules (from a SelfSubjectRulesReview, resource and non-resource alike, or a role) that go
 * beyond managing PrometheusReplicas, one entry per offending group/resource/verb or URL/verb,
 * e.g. `get secrets`, `* *.*`, `get /metrics`. Empty when the credential is scoped as
 * `promfleet join` makes it.
 */
export function excessRules(rules: readonly Rule[]): string[] {
  const allowed = [...REPLICA_RULES, ...DEFAULT_USER_RULES];
  const excess = new Set<string>();
  for (const rule of rules) {
    for (const url of rule.nonResourceURLs ?? []) {
      for (const verb of rule.verbs) {
        if (verb !== 'get' || !DEFAULT_NON_RESOURCE_URLS.has(url)) excess.add(`${verb} ${url.startsWith('/') ? url : `non-resource URLs ${url}`}`);
      }
    }
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          if (!covered(rule, allowed, group, resource, verb)) excess.add(`${verb} ${describeResource(group, resource)}`);
        }
      }
    }
  }
  return [...excess].sort();
}

function describeResource(group: string, resource: string): string {
  if (group === '*') return `${resource}.*`;
  return group === '' ? resource : `${resource}.${group}`;
}

/** What a SelfSubjectRulesReview says (only the parts the scope check reads). */
export interface RulesReviewOutcome {
  readonly resourceRules: readonly Rule[];
  readonly nonResourceRules: readonly Rule[];
  readonly incomplete: boolean;
  readonly evaluationError?: string | undefined;
}

export interface ScopeVerdict {
  /** Everything the review shows beyond the Role and the defaults. */
  readonly excess: string[];
  /** Why the review cannot prove the scope (an authorizer that cannot list rules), if it cannot. */
  readonly unverifiable: string | undefined;
}

/**
 * The scope a rules review proves: its excess rules, resource and non-resource, and whether it
 * is complete. An incomplete review (a webhook authorizer) or one with an evaluation error (a
 * binding to a missing role) may hide rights, so it cannot prove the credential is scoped.
 */
export function reviewScope(review: RulesReviewOutcome): ScopeVerdict {
  const excess = excessRules([...review.resourceRules, ...review.nonResourceRules]);
  if (!review.incomplete && !review.evaluationError) return { excess, unverifiable: undefined };
  const error = review.evaluationError ? `: ${review.evaluationError.slice(0, 300)}` : '';
  return { excess, unverifiable: `the member's authorizer could not list every rule of the credential (incomplete rules review${error})` };
}
