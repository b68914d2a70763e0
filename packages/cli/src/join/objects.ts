import { API_VERSION, DEFAULTS, joinLabels, MEMBER_CLUSTER, MEMBER_CREDENTIAL, REPLICA_RULES, type MemberCluster } from '@promfleet/api';
import type { ObjectOf, RoleBindings, Roles, Secrets, ServiceAccounts, Writable } from '@promfleet/kube/client';

type IServiceAccount = ObjectOf<typeof ServiceAccounts>;
type IRole = ObjectOf<typeof Roles>;
type IRoleBinding = ObjectOf<typeof RoleBindings>;
export type ISecret = ObjectOf<typeof Secrets>;

/**
 * The objects join writes, as pure functions of its options: the credential in the member
 * (ServiceAccount, Role, RoleBinding) and its registration in the hub (Secret, MemberCluster).
 */

/**
 * Marks a ServiceAccount whose every join-issued token is bound to a Secret, so deleting those
 * Secrets revokes them all. One made by a join before token binding lacks it: its tokens can only
 * be revoked with the ServiceAccount, so the next join that issues a token re-creates it.
 */
export const BOUND_TOKENS_ANNOTATION = 'promfleet.io/tokens';

export function serviceAccount(member: string, namespace: string, options: { boundTokens: boolean } = { boundTokens: true }): Writable<IServiceAccount> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: MEMBER_CREDENTIAL.serviceAccount,
      namespace,
      labels: joinLabels(member),
      ...(options.boundTokens ? { annotations: { [BOUND_TOKENS_ANNOTATION]: 'bound' } } : {}),
    },
  };
}

/** Whether every token join issued for this ServiceAccount is bound to a Secret (see BOUND_TOKENS_ANNOTATION). */
export function issuesBoundTokens(account: IServiceAccount): boolean {
  return account.metadata?.annotations?.[BOUND_TOKENS_ANNOTATION] === 'bound';
}

/** Exactly REPLICA_RULES: PrometheusReplicas (and reading their status) in this namespace. */
export function role(member: string, namespace: string): Writable<IRole> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: MEMBER_CREDENTIAL.role, namespace, labels: joinLabels(member) },
    rules: REPLICA_RULES.map((rule) => ({
      apiGroups: [...(rule.apiGroups ?? [])],
      resources: [...(rule.resources ?? [])],
      verbs: [...rule.verbs],
    })),
  };
}

export function roleBinding(member: string, namespace: string): Writable<IRoleBinding> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: MEMBER_CREDENTIAL.roleBinding, namespace, labels: joinLabels(member) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: MEMBER_CREDENTIAL.role },
    subjects: [{ kind: 'ServiceAccount', name: MEMBER_CREDENTIAL.serviceAccount, namespace }],
  };
}

export function credentialSecretName(member: string): string {
  return `member-${member}`;
}

/** The hub Secret holding the member kubeconfig. `data`, not `stringData`: only data reads back, so a re-run can see it matches. */
export function credentialSecret(member: string, hubNamespace: string, kubeconfig: string): Writable<ISecret> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: credentialSecretName(member), namespace: hubNamespace, labels: joinLabels(member) },
    type: 'Opaque',
    data: { [DEFAULTS.kubeconfigKey]: Buffer.from(kubeconfig, 'utf8').toString('base64') },
  };
}

export function memberCluster(
  member: string,
  options: { hubNamespace: string; namespace: string; labels: Readonly<Record<string, string>> },
): Writable<MemberCluster> {
  return {
    apiVersion: API_VERSION,
    kind: MEMBER_CLUSTER.kind,
    metadata: { name: member, labels: { ...options.labels } },
    spec: {
      kubeconfigSecretRef: { name: credentialSecretName(member), namespace: options.hubNamespace, key: DEFAULTS.kubeconfigKey },
      namespace: options.namespace,
    },
  };
}

/** The kubeconfig stored in a hub credential Secret, or undefined when there is none. */
export function storedKubeconfig(secret: ISecret | undefined): string | undefined {
  const data = secret?.data?.[DEFAULTS.kubeconfigKey];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
}
