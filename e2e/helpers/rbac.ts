import { resourceType, type KubeObject } from '@promfleet/kube/client';

interface RBACObject extends KubeObject {
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

export const ClusterRolesFor = resourceType<RBACObject>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
export const ClusterRoleBindingsFor = resourceType<RBACObject>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);
