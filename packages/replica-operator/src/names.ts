import { FIELD_MANAGERS } from '@promfleet/api';

/** Names of everything the operator creates for a PrometheusReplica, and the labels on it. */

export type Component = 'prometheus' | 'thanos-store' | 'thanos-query' | 'thanos-compact' | 'grafana';

export const OPERATOR_NAME = FIELD_MANAGERS.replicaOperator;

export function childNames(replica: string) {
  return {
    prometheus: `${replica}-prometheus`,
    prometheusConfig: `${replica}-prometheus-config`,
    prometheusRules: `${replica}-prometheus-rules`,
    sidecarService: `${replica}-thanos-sidecar`,
    store: `${replica}-thanos-store`,
    query: `${replica}-thanos-query`,
    // Not `-thanos-compact`: MAX_REPLICA_NAME_LENGTH leaves 13 characters for a StatefulSet suffix.
    compactor: `${replica}-compactor`,
    grafana: `${replica}-grafana`,
    grafanaDatasources: `${replica}-grafana-datasources`,
    /** The admin Secret the operator generates when the replica names none. */
    grafanaAdmin: `${replica}-grafana-admin`,
    ingress: replica,
    /** Where cert-manager puts the certificate when `ingress.tls` names no Secret. */
    ingressTLS: `${replica}-ingress-tls`,
    /** The StoreAPI's LoadBalancer Service or Ingress (spec.storeAPI). */
    storeAPI: `${replica}-store-api`,
    /** Where cert-manager puts the StoreAPI Ingress certificate when `storeAPI.tls` names no Secret. */
    storeAPITLS: `${replica}-store-api-tls`,
    /** Prometheus's own ServiceAccount, and its discovery Role and RoleBinding. */
    prometheusServiceAccount: `${replica}-prometheus`,
  };
}

export type ChildNames = ReturnType<typeof childNames>;

/** The selector labels of one component's pods: stable for the life of the workload. */
export function selectorLabels(replica: string, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': component === 'prometheus' || component === 'grafana' ? component : 'thanos',
    'app.kubernetes.io/instance': replica,
    'app.kubernetes.io/component': component,
  };
}

export function labels(replica: string, component: Component): Record<string, string> {
  return { ...selectorLabels(replica, component), 'app.kubernetes.io/managed-by': OPERATOR_NAME, 'app.kubernetes.io/part-of': 'promfleet' };
}

/** Labels on objects that belong to the whole replica rather than one component. */
export function instanceLabels(replica: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': replica, 'app.kubernetes.io/managed-by': OPERATOR_NAME, 'app.kubernetes.io/part-of': 'promfleet' };
}

export const PORTS = {
  prometheusWeb: 9090,
  grpc: 10901,
  thanosHttp: 10902,
  queryHttp: 9090,
  grafana: 3000,
} as const;
