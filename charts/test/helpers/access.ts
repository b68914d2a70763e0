import type { KubeClient } from '@promfleet/kube/client';

/** One request a ServiceAccount might make; no namespace means across all namespaces (or cluster-scoped). */
export interface Access {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
}

export interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

function access(group: string, resource: string, verb: string, namespace: string | undefined): Access {
  const [plural = resource, subresource] = resource.split('/');
  return { verb, group, resource: plural, ...(subresource ? { subresource } : {}), ...(namespace === undefined ? {} : { namespace }) };
}

function eachResource(rules: readonly Rule[]): { group: string; resource: string; verbs: readonly string[] }[] {
  return rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => ({ group, resource, verbs: rule.verbs }))));
}

/** Every request the rules allow, in each of the given namespaces. */
export function granted(rules: readonly Rule[], namespaces: readonly (string | undefined)[]): Access[] {
  return eachResource(rules).flatMap(({ group, resource, verbs }) =>
    namespaces.flatMap((namespace) => verbs.map((verb) => access(group, resource, verb, namespace))),
  );
}

/** Every other common verb on the resources the rules name: what the rules must not allow. */
export function withheld(rules: readonly Rule[], namespaces: readonly (string | undefined)[]): Access[] {
  const allowed = new Set(eachResource(rules).flatMap(({ group, resource, verbs }) => verbs.map((verb) => `${group}|${resource}|${verb}`)));
  const resources = new Map(eachResource(rules).map(({ group, resource }) => [`${group}|${resource}`, { group, resource }]));
  return [...resources.values()].flatMap(({ group, resource }) =>
    namespaces.flatMap((namespace) =>
      VERBS.filter((verb) => !allowed.has(`${group}|${resource}|${verb}`)).map((verb) => access(group, resource, verb, namespace)),
    ),
  );
}

/** The same requests, made in another namespace (undefined: across all namespaces). */
export function elsewhere(accesses: readonly Access[], namespace: string | undefined): Access[] {
  return accesses.map(({ namespace: _namespace, ...rest }) => (namespace === undefined ? rest : { ...rest, namespace }));
}

export function describeAccess(a: Access): string {
  return `${a.verb} ${a.group || 'core'}/${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace === undefined ? '(all namespaces)' : `in ${a.namespace}`}`;
}

/**
 * Asks the API server, with SubjectAccessReviews, whether a ServiceAccount may make each request;
 * returns those whose answer is not `expected`, described.
 */
export async function unexpectedAnswers(
  client: KubeClient,
  account: { namespace: string; name: string },
  accesses: readonly Access[],
  expected: boolean,
): Promise<string[]> {
  const user = `system:serviceaccount:${account.namespace}:${account.name}`;
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${account.namespace}`, 'system:authenticated'];
  const answers: boolean[] = [];
  // A few at a time: hundreds of reviews at once would only queue in the API server.
  for (let i = 0; i < accesses.length; i += 16) {
    const batch = accesses.slice(i, i + 16);
    answers.push(
      ...(await Promise.all(
        batch.map(async (resourceAttributes) => {
          const review = await client.request<{ status?: { allowed?: boolean } }>({
            verb: 'create',
            method: 'POST',
            path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
            resource: 'subjectaccessreviews',
            body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups, resourceAttributes } },
          });
          return review.status?.allowed === true;
        }),
      )),
    );
  }
  return accesses.filter((_, index) => answers[index] !== expected).map(describeAccess);
}
