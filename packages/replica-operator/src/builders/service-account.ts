import type { IServiceAccount } from 'kubernetes-models/v1';
import type { IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';

import { childMetadata, type BuildContext } from './context.ts';

/**
 * What `kubernetes_sd_configs` reads for the pod, service, endpoints, endpointslice and ingress
 * roles, in the replica's namespace only. Wider discovery (nodes, other namespaces) is granted
 * by the cluster's admins to this ServiceAccount (see docs/replica-operator.md).
 */
export const DISCOVERY_RULES = [
  { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
] as const;

/** Prometheus's own identity: no rights unless `kubernetesDiscovery` (or an admin) grants some. */
export function prometheusServiceAccount(context: BuildContext): IServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: childMetadata(context, context.names.prometheusServiceAccount, 'prometheus') };
}

export function discoveryRole(context: BuildContext): IRole | undefined {
  if (!context.replica.spec.kubernetesDiscovery) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: childMetadata(context, context.names.prometheusServiceAccount, 'prometheus'),
    rules: DISCOVERY_RULES.map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
  };
}

export function discoveryRoleBinding(context: BuildContext): IRoleBinding | undefined {
  if (!context.replica.spec.kubernetesDiscovery) return undefined;
  const name = context.names.prometheusServiceAccount;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: childMetadata(context, name, 'prometheus'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: context.namespace }],
  };
}
