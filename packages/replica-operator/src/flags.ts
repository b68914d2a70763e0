import { DEFAULT_ALLOWED_IMAGE_PREFIXES } from '@promfleet/api';
import type { FlagSpec } from '@promfleet/kube/flags';
import { LEASE_TIMING_FLAGS } from '@promfleet/kube/runtime';

export const OPERATOR_FLAGS = {
  kubeconfig: { type: 'string', description: 'Kubeconfig file; in-cluster service account when absent.', value: 'FILE' },
  'watch-namespaces': {
    type: 'list',
    description:
      'Only reconcile PrometheusReplicas in these namespaces, comma-separated or repeated; the operator then lists and watches each on its own and needs a Role in each (default: all namespaces, with a ClusterRole).',
    value: 'NAMESPACES',
  },
  'allowed-image-prefixes': {
    type: 'list',
    description:
      'Images a replica may run, as prefixes (registry.example.com/team/), comma-separated or repeated; * allows any image. A replica naming another image gets ConfigValid=False ImageNotAllowed and nothing is changed for it.',
    default: DEFAULT_ALLOWED_IMAGE_PREFIXES,
    value: 'PREFIXES',
  },
  'secret-poll-interval': {
    type: 'duration',
    description:
      'How often the Secrets replicas name are read again (the operator may get them, never list or watch them): how soon a changed bucket or Grafana Secret takes effect.',
    default: '30s',
  },
  listen: { type: 'string', description: 'Address for /metrics, /healthz and /readyz.', default: ':8081', value: 'HOST:PORT' },
  'leader-elect': { type: 'boolean', description: 'Elect a leader with a Lease so only one replica of the operator writes.', default: true },
  ...LEASE_TIMING_FLAGS,
  'leader-election-namespace': {
    type: 'string',
    description: "Namespace of the Lease (default: the pod's namespace, else the watch namespace, else default).",
    value: 'NAMESPACE',
  },
  'cluster-domain': { type: 'string', description: 'Cluster DNS domain, for the Thanos Query endpoints.', default: 'cluster.local', value: 'DOMAIN' },
  'ingress-class': { type: 'string', description: 'ingressClassName of the Ingresses (default: the cluster default class).', value: 'CLASS' },
  concurrency: { type: 'integer', description: 'PrometheusReplicas reconciled in parallel.', default: 4 },
  'log-level': { type: 'string', description: 'fatal, error, warn, info, debug, trace or silent.', default: 'info', value: 'LEVEL' },
} as const satisfies Record<string, FlagSpec>;

export const OPERATOR_USAGE = `promfleet-replica-operator — turns PrometheusReplicas into Prometheus with a Thanos sidecar,
Thanos Store and Query, Services, Ingress, PodDisruptionBudgets and optional Grafana.

Usage:
  promfleet-replica-operator [flags]

Examples:
  # In a cluster (the Helm chart runs this):
  promfleet-replica-operator --leader-elect
  # Against a local kubeconfig, one namespace, no leader election:
  promfleet-replica-operator --kubeconfig ~/.kube/config --watch-namespaces monitoring --leader-elect=false
  # Only images from your registry:
  promfleet-replica-operator --allowed-image-prefixes registry.example.com/monitoring/

Flags (each also settable as an environment variable):`;
