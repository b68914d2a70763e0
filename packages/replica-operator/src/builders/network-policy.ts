import type { NamespaceSelector } from '@promfleet/api';
import type { INetworkPolicy, INetworkPolicyEgressRule, INetworkPolicyIngressRule, INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1';

import { PORTS, selectorLabels, type Component } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

/**
 * The ingress controller's namespace when the replica names none. API servers from 1.21 label
 * every namespace with its own name; on older ones, label it by hand or set the selector.
 */
export const DEFAULT_INGRESS_CONTROLLER_NAMESPACES = { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } };

const tcp = (port: number) => ({ protocol: 'TCP' as const, port });

function labelSelector(selector: NamespaceSelector): NonNullable<INetworkPolicyPeer['namespaceSelector']> {
  return {
    ...(selector.matchLabels ? { matchLabels: selector.matchLabels } : {}),
    ...(selector.matchExpressions
      ? { matchExpressions: selector.matchExpressions.map(({ key, operator, values }) => ({ key, operator, ...(values ? { values } : {}) })) }
      : {}),
  };
}

function pods(context: BuildContext, component: Component): INetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels(context.name, component) } };
}

function policy(context: BuildContext, component: Component, ingress: INetworkPolicyIngressRule[], egress?: INetworkPolicyEgressRule[]): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(context, `${context.name}-${component}`, component),
    spec: {
      podSelector: { matchLabels: selectorLabels(context.name, component) },
      policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress,
      ...(egress ? { egress } : {}),
    },
  };
}

/**
 * With `networkPolicy.enabled`, each tier accepts only the traffic it serves: Prometheus's web
 * port from its own pods (the sidecar's reloader), Query, Grafana and the ingress controller,
 * and its sidecar's StoreAPI from Query; Store only from Query; Query only from Grafana and the
 * ingress controller; the Compactor from nobody; Grafana only from the ingress controller, and Grafana may connect only to
 * Query and DNS (a Grafana admin cannot turn a data source into a probe of the member's
 * network). Policies add up, so a user's own NetworkPolicy can open more. Kubelet probes are
 * always allowed.
 */
export function networkPolicies(context: BuildContext): INetworkPolicy[] {
  const { networkPolicy, grafana } = context.replica.spec;
  if (!networkPolicy?.enabled) return [];
  const withGrafana = grafana?.enabled === true;
  const ingressController: INetworkPolicyPeer = {
    namespaceSelector: labelSelector(networkPolicy.ingressControllerNamespaces ?? DEFAULT_INGRESS_CONTROLLER_NAMESPACES),
  };
  const grafanaPods = withGrafana ? [pods(context, 'grafana')] : [];
  const list = [
    policy(context, 'prometheus', [
      { from: [pods(context, 'prometheus'), pods(context, 'thanos-query'), ...grafanaPods, ingressController], ports: [tcp(PORTS.prometheusWeb)] },
      { from: [pods(context, 'thanos-query')], ports: [tcp(PORTS.grpc)] },
    ]),
    policy(context, 'thanos-store', [{ from: [pods(context, 'thanos-query')], ports: [tcp(PORTS.grpc)] }]),
    policy(context, 'thanos-query', [{ from: [...grafanaPods, ingressController], ports: [tcp(PORTS.queryHttp)] }]),
    // The Compactor serves nobody: its port is for metrics and its block viewer.
    ...(context.replica.spec.compaction.enabled ? [policy(context, 'thanos-compact', [])] : []),
  ];
  if (withGrafana) {
    list.push(
      policy(
        context,
        'grafana',
        [{ from: [ingressController], ports: [tcp(PORTS.grafana)] }],
        [{ to: [pods(context, 'thanos-query')], ports: [tcp(PORTS.queryHttp)] }, { ports: [{ protocol: 'UDP' as const, port: 53 }, tcp(53)] }],
      ),
    );
  }
  return list;
}
