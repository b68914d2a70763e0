import type { KubeClient } from '../client/kube-client.ts';

export interface ResourceAttributes {
  readonly verb: string;
  readonly group?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface ResourceRule {
  readonly verbs: string[];
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly resourceNames?: string[];
}

export interface NonResourceRule {
  readonly verbs: string[];
  readonly nonResourceURLs?: string[];
}

export interface RulesReview {
  readonly resourceRules: ResourceRule[];
  readonly nonResourceRules: NonResourceRule[];
  readonly incomplete: boolean;
  readonly evaluationError?: string;
}

/** Whether the client's own identity may do one thing (SelfSubjectAccessReview). */
export async function canI(client: KubeClient, attributes: ResourceAttributes, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
  const review = await client.request<{ status?: { allowed?: boolean } }>({
    verb: 'create',
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    resource: 'selfsubjectaccessreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } },
    // Asking is not changing anything: standbys and non-leaders may ask.
    bypassWriteGuard: true,
    ...options,
  });
  return review.status?.allowed === true;
}

/** Everything the client's own identity may do in a namespace (SelfSubjectRulesReview). */
export async function rulesIn(client: KubeClient, namespace: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RulesReview> {
  const review = await client.request<{ status?: Partial<RulesReview> }>({
    verb: 'create',
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    resource: 'selfsubjectrulesreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
    bypassWriteGuard: true,
    ...options,
  });
  const status = review.status ?? {};
  return {
    resourceRules: status.resourceRules ?? [],
    nonResourceRules: status.nonResourceRules ?? [],
    incomplete: status.incomplete ?? false,
    ...(status.evaluationError ? { evaluationError: status.evaluationError } : {}),
  };
}
