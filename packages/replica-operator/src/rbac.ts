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
  { apiGroups: [''], resources: ['secrets', 'pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
] as const;
