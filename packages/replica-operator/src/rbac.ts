import { GROUP, PROMETHEUS_REPLICA } from '@promfleet/api';

const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/**
 * The rules the operator needs in every namespace it serves, exactly: what it reads, what it
 * creates, nothing more. The Helm chart renders them as a Role per watched namespace (or, opted
 * into, one ClusterRole), and tests check them against a real API server.
 */
export const OPERATOR_RULES = [
  { apiGroups: [GROUP], resources: [PROMETHEUS_REPLICA.plural], verbs: READ },
  { apiGroups: [GROUP], resources: [`${PROMETHEUS_REPLICA.plural}/status`], verbs: ['get', 'patch', 'update'] },
  { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: MANAGE },
  { apiGroups: [''], resources: ['services', 'configmaps', 'serviceaccounts'], verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: MANAGE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: MANAGE },
  // Secrets by name only: bucket Secrets are validated and hashed, the Grafana admin Secret is
  // created once. Never listed or watched, never changed after creation.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
  // Pods for status; a pod adopted without the claims its StatefulSet now has is deleted to get them.
  { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'delete'] },
  // Claims of its StatefulSets are expanded in place when spec.storage grows.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: [...READ, 'patch'] },
  // ConfigApplied: each Prometheus pod is asked, through the API server, which config it loaded.
  { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
  // Not read by the operator: Kubernetes lets it grant Prometheus's discovery Role only what it
  // holds itself (pods, services and ingresses it reads anyway).
  { apiGroups: [''], resources: ['endpoints'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
] as const;

/** The rules for its leader-election Lease, in the one namespace the Lease lives in. */
export const OPERATOR_LEASE_RULES = [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] as const;
