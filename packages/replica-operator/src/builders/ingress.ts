import type { IIngress, IIngressRule } from 'kubernetes-models/networking.k8s.io/v1';

import { PORTS } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

export function queryHost(baseDomain: string): string {
  return `query.${baseDomain}`;
}

export function grafanaHost(baseDomain: string): string {
  return `grafana.${baseDomain}`;
}

function rule(host: string, service: string, port: number): IIngressRule {
  return { host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } }] } };
}

/**
 * `query.<baseDomain>` (and `grafana.<baseDomain>`): the same hosts on every member, so one DNS
 * name can round-robin over the members' load balancers. Only when baseDomain is set.
 */
export function ingress(context: BuildContext): IIngress | undefined {
  const { baseDomain, grafana } = context.replica.spec;
  if (!baseDomain) return undefined;
  const rules = [rule(queryHost(baseDomain), context.names.query, PORTS.queryHttp)];
  if (grafana?.enabled) rules.push(rule(grafanaHost(baseDomain), context.names.grafana, PORTS.grafana));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(context, context.names.ingress, 'thanos-query'),
    spec: { ...(context.ingressClassName ? { ingressClassName: context.ingressClassName } : {}), rules },
  };
}
