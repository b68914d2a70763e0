import { excessRules, GROUP, MEMBER_CREDENTIAL, PROMETHEUS_REPLICA, type Rule } from '@promfleet/api';
import { ResourceClient, resourceType, RoleBindings, Roles, rulesIn, type KubeClient, type KubeObject } from '@promfleet/kube/client';

import { compareText } from '../output/table.ts';
import { describeObject } from '../progress.ts';

interface Subject {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

type Binding = KubeObject & { roleRef: { kind: string; name: string }; subjects?: Subject[] | undefined };
type AnyRole = KubeObject & { rules?: Rule[] | undefined };

const ClusterRoleBindings = resourceType<Binding>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);
const ClusterRoles = resourceType<AnyRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);

/** A binding other than join's own that grants the credential something. */
export interface OtherBinding {
  /** `ClusterRoleBinding greedy to ClusterRole secret-reader`. */
  readonly description: string;
  /** Set for RoleBindings: the namespace whose rights they grant. */
  readonly namespace: string | undefined;
}

/** The identity of the credential, as a binding can name it: itself, or a group of service accounts. */
function namesCredential(subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'ServiceAccount':
      return subject.name === MEMBER_CREDENTIAL.serviceAccount && subject.namespace === namespace;
    case 'User':
      return subject.name === `system:serviceaccount:${namespace}:${MEMBER_CREDENTIAL.serviceAccount}`;
    case 'Group':
      return subject.name === 'system:serviceaccounts' || subject.name === `system:serviceaccounts:${namespace}`;
    default:
      return false;
  }
}

/**
 * Every ClusterRoleBinding and RoleBinding, other than join's own, that grants the credential
 * more than its Role: bindings naming its service account or a service-account group, whose
 * role has rules beyond the defaults (PrometheusReplicas count as excess unless only in its
 * namespace). Read with the member admin client: a SelfSubjectRulesReview sees one namespace
 * only, so this is how rights in other namespaces, and the binding to remove, are found.
 * Bindings to system:authenticated grant what every identity of the member has; the rules
 * review of the credential's namespace still shows them.
 */
export async function otherBindings(admin: KubeClient, namespace: string): Promise<OtherBinding[]> {
  const [clusterBindings, roleBindings] = await Promise.all([
    new ResourceClient(admin, ClusterRoleBindings).listAll(),
    new ResourceClient(admin, RoleBindings).listAll(),
  ]);
  const candidates = [...clusterBindings.items, ...(roleBindings.items as Binding[])].filter(
    (binding) =>
      !(binding.metadata?.namespace === namespace && binding.metadata.name === MEMBER_CREDENTIAL.roleBinding) &&
      (binding.subjects ?? []).some((subject) => namesCredential(subject, namespace)),
  );
  const granting = await Promise.all(
    candidates.map(async (binding): Promise<OtherBinding | undefined> => {
      const bindingNamespace = binding.metadata?.namespace;
      const rules = await roleRules(admin, binding.roleRef, bindingNamespace);
      const grants = bindingNamespace === namespace ? excessRules(rules) : [...excessRules(rules), ...replicaGrants(rules)];
      if (grants.length === 0) return undefined;
      const kind = bindingNamespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding';
      return {
        description: `${describeObject(kind, binding.metadata?.name ?? '', bindingNamespace)} to ${binding.roleRef.kind} ${binding.roleRef.name}`,
        namespace: bindingNamespace,
      };
    }),
  );
  return granting.filter((binding) => binding !== undefined).sort((a, b) => compareText(a.description, b.description));
}

/** The rules of a binding's role; none when it names a role that does not exist. */
async function roleRules(admin: KubeClient, roleRef: Binding['roleRef'], namespace: string | undefined): Promise<Rule[]> {
  const role =
    roleRef.kind === 'ClusterRole'
      ? await new ResourceClient(admin, ClusterRoles).get(roleRef.name)
      : await new ResourceClient(admin, Roles).get(roleRef.name, namespace);
  return role?.rules ?? [];
}

const REPLICA_RESOURCES = new Set([PROMETHEUS_REPLICA.plural, `${PROMETHEUS_REPLICA.plural}/status`, '*']);

/** Grants on PrometheusReplicas: allowed in the credential's namespace, excess anywhere else. */
function replicaGrants(rules: readonly Rule[]): string[] {
  const grants: string[] = [];
  for (const rule of rules) {
    if (!(rule.apiGroups ?? []).some((group) => group === GROUP || group === '*')) continue;
    for (const resource of rule.resources ?? []) {
      if (REPLICA_RESOURCES.has(resource)) grants.push(...rule.verbs.map((verb) => `${verb} ${resource}.${GROUP}`));
    }
  }
  return grants;
}

/**
 * What the credential may do in other namespaces where a RoleBinding names it, asked with its
 * own SelfSubjectRulesReviews: `get secrets in kube-system`. Rights it has everywhere are left
 * out; the review of its own namespace reports those.
 */
export async function rightsElsewhere(credential: KubeClient, namespaces: readonly string[], everywhere: readonly string[]): Promise<string[]> {
  const known = new Set(everywhere);
  const reviews = await Promise.all(namespaces.map(async (namespace) => ({ namespace, review: await rulesIn(credential, namespace) })));
  return reviews.flatMap(({ namespace, review }) =>
    [...new Set([...excessRules(review.resourceRules), ...replicaGrants(review.resourceRules)])]
      .filter((grant) => !known.has(grant))
      .map((grant) => `${grant} in ${namespace}`),
  );
}
