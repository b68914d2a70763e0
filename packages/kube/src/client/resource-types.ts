import type { IConfigMap, IEvent, INamespace, INode, IPod, ISecret, IService, IServiceAccount } from 'kubernetes-models/v1';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { ILease } from 'kubernetes-models/coordination.k8s.io/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';

import type { KubeObject } from './objects.ts';

/** Where a kind lives in the API. `T` only types what the client returns. */
export interface ResourceType<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Never set: carries the object type. */
  readonly _object?: T;
}

export type ObjectOf<R> = R extends ResourceType<infer T> ? T : never;

export function resourceType<T extends KubeObject>(group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceType<T> {
  return { group, version, plural, kind, namespaced };
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** `/apis/apps/v1/namespaces/ns/statefulsets/name/status` and its shorter forms. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let path = groupVersionPath(type.group, type.version);
  if (type.namespaced && namespace !== undefined) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

export const Namespaces = resourceType<INamespace>('', 'v1', 'namespaces', 'Namespace', false);
export const Nodes = resourceType<INode>('', 'v1', 'nodes', 'Node', false);
export const Pods = resourceType<IPod>('', 'v1', 'pods', 'Pod', true);
export const Services = resourceType<IService>('', 'v1', 'services', 'Service', true);
export const ConfigMaps = resourceType<IConfigMap>('', 'v1', 'configmaps', 'ConfigMap', true);
export const Secrets = resourceType<ISecret>('', 'v1', 'secrets', 'Secret', true);
export const ServiceAccounts = resourceType<IServiceAccount>('', 'v1', 'serviceaccounts', 'ServiceAccount', true);
export const CoreEvents = resourceType<IEvent>('', 'v1', 'events', 'Event', true);
export const StatefulSets = resourceType<IStatefulSet>('apps', 'v1', 'statefulsets', 'StatefulSet', true);
export const Deployments = resourceType<IDeployment>('apps', 'v1', 'deployments', 'Deployment', true);
export const Ingresses = resourceType<IIngress>('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true);
export const Leases = resourceType<ILease>('coordination.k8s.io', 'v1', 'leases', 'Lease', true);
export const Roles = resourceType<IRole>('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true);
export const RoleBindings = resourceType<IRoleBinding>('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true);
export const CustomResourceDefinitions = resourceType<ICustomResourceDefinition>(
  'apiextensions.k8s.io',
  'v1',
  'customresourcedefinitions',
  'CustomResourceDefinition',
  false,
);
