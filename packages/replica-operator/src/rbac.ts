import { GROUP, PROMETHEUS_REPLICA } from '@promfleet/api';

/**
 * The ClusterRole rules the operator needs, exactly: what it reads, what it creates, nothing
 * more. The Helm chart renders these, and a test checks them against a real API server.
 */
export const OPERATOR_RULES = [
  { apiGroups: [GROUP], resources: [PROMETHEUS_REPLICA.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [GROUP], resources: [`${PROMETHEUS_REPLICA.plural}/status`], verbs: ['get', 'patch', 'update'] },
  { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  // Bucket Secrets are read to validate and hash objstore.yml; never written.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  // Pods for status; a pod adopted without the claims its StatefulSet now has is deleted to get them.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  // Claims of its StatefulSets are expanded in place when spec.storage grows.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'patch'] },
  // ConfigApplied: each Prometheus pod is asked, through the API server, which config it loaded.
  { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
] as const;
