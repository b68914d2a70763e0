import { isIP } from 'node:net';

import type { PrometheusReplica } from '@promfleet/api';
import type { IService } from 'kubernetes-models/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';

import { STORE_API_INGRESS_PORT } from '../builders/store-api.ts';
import { PORTS } from '../names.ts';

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${String(port)}` : `${host}:${String(port)}`;
}

/**
 * Where the StoreAPI is reachable, as `host:port`, once something outside the member can reach
 * it: each address of the LoadBalancer Service on the gRPC port, or the Ingress host on 443 once
 * the controller has admitted the Ingress (reported a load balancer for it), like the query host.
 * Read from the live objects named `name`, of the kind the spec asks for.
 */
export function storeAPIAddresses(replica: PrometheusReplica, name: string, services: readonly IService[], ingresses: readonly IIngress[]): string[] {
  const expose = replica.spec.storeAPI?.expose;
  if (expose === 'LoadBalancer') {
    const service = services.find((s) => s.metadata?.name === name && s.spec?.type === 'LoadBalancer');
    const hosts = (service?.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? entry.hostname ?? '').filter(Boolean);
    return [...new Set(hosts)].sort().map((host) => hostPort(host, PORTS.grpc));
  }
  if (expose === 'Ingress') {
    const ingress = ingresses.find((i) => i.metadata?.name === name);
    const admitted = (ingress?.status?.loadBalancer?.ingress ?? []).length > 0;
    const host = ingress?.spec?.rules?.[0]?.host;
    return admitted && host ? [hostPort(host, STORE_API_INGRESS_PORT)] : [];
  }
  return [];
}
