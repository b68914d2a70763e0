import { grafanaHost, queryHost } from '@promfleet/api';
import type { IIngress, IIngressRule } from 'kubernetes-models/networking.k8s.io/v1';

import { PORTS } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

function rule(host: string, service: string, port: number): IIngressRule {
  return { host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } }] } };
}

/**
 * `query.<baseDomain>` (and `grafana.<baseDomain>`): the same hosts on every member, so one DNS
 * name can round-robin over the members' load balancers. Only when baseDomain is set. With
 * `ingress.tls` every host is in `spec.tls`, with the named Secret or one cert-manager fills
 * (its annotations go in `ingress.annotations`); the replica's class wins over the operator's.
 */
export function ingress(context: BuildContext): IIngress | undefined {
  const { baseDomain, grafana, ingress: options } = context.replica.spec;
  if (!baseDomain) return undefined;
  const rules = [rule(queryHost(baseDomain), context.names.query, PORTS.queryHttp)];
  if (grafana?.enabled) rules.push(rule(grafanaHost(baseDomain), context.names.grafana, PORTS.grafana));
  const className = options?.className ?? context.ingressClassName;
  const annotations = options?.annotations;
  const tls = options?.tls ? [{ hosts: rules.map((r) => r.host ?? ''), secretName: options.tls.secretName ?? context.names.ingressTLS }] : undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(
      context,
      context.names.ingress,
      'thanos-query',
      annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {},
    ),
    spec: { ...(className ? { ingressClassName: className } : {}), ...(tls ? { tls } : {}), rules },
  };
}
