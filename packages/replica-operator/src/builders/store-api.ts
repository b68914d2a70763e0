import { resolveMemberPlaceholders, type PrometheusReplica, type Resolved } from '@promfleet/api';
import type { IService } from 'kubernetes-models/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';

import { PORTS, selectorLabels } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

/** HTTPS: an Ingress carries the StoreAPI as gRPC over TLS on the controller's TLS port. */
export const STORE_API_INGRESS_PORT = 443;

/** Where the Query pods mount the gRPC server certificate and the client CA (spec.storeAPI.mutualTLS). */
export const STORE_API_TLS_PATHS = {
  dir: '/etc/thanos/grpc-server-tls',
  caDir: '/etc/thanos/grpc-client-ca',
  cert: '/etc/thanos/grpc-server-tls/tls.crt',
  key: '/etc/thanos/grpc-server-tls/tls.key',
  clientCA: '/etc/thanos/grpc-client-ca/ca.crt',
} as const;

/**
 * ingress-nginx's annotations for gRPC: without mutual TLS the controller terminates TLS and
 * speaks plain gRPC (HTTP/2) to Query; with it the controller passes TLS through untouched, so
 * Thanos itself checks the client certificate (needs --enable-ssl-passthrough on the controller).
 * The user's annotations win, for other controllers.
 */
export const GRPC_INGRESS_ANNOTATIONS = { 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' } as const;
export const PASSTHROUGH_INGRESS_ANNOTATIONS = {
  'nginx.ingress.kubernetes.io/backend-protocol': 'GRPCS',
  'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
} as const;

/**
 * The StoreAPI Ingress host of this replica: `spec.storeAPI.host` with `{{ member.name }}` as its
 * clusterName (the hub has filled every placeholder already in the replicas it makes; a replica
 * made by hand can use the name only). Undefined without an Ingress.
 */
export function storeAPIHost(replica: PrometheusReplica): Resolved<string> | undefined {
  const { storeAPI } = replica.spec;
  if (storeAPI?.expose !== 'Ingress' || storeAPI.host === undefined) return undefined;
  return resolveMemberPlaceholders(storeAPI.host, { name: replica.spec.clusterName ?? replica.metadata.namespace ?? 'default', labels: {} });
}

/** A Service of type LoadBalancer in front of the Query pods' gRPC port: `expose: LoadBalancer`. */
export function storeAPIService(context: BuildContext): IService | undefined {
  const storeAPI = context.replica.spec.storeAPI;
  if (storeAPI?.expose !== 'LoadBalancer') return undefined;
  const annotations = storeAPI.annotations ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(context, context.names.storeAPI, 'thanos-query', Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
    spec: {
      type: 'LoadBalancer',
      selector: selectorLabels(context.name, 'thanos-query'),
      ports: [{ name: 'grpc', port: PORTS.grpc, targetPort: 'grpc', protocol: 'TCP' }],
    },
  };
}

/** gRPC over TLS to the Query Service for one host per member: `expose: Ingress`. */
export function storeAPIIngress(context: BuildContext): IIngress | undefined {
  const storeAPI = context.replica.spec.storeAPI;
  const host = storeAPIHost(context.replica);
  if (storeAPI === undefined || host === undefined) return undefined;
  // The reconciler reports a host it cannot render as a spec error before building anything.
  if (!host.ok) throw new Error(`spec.storeAPI.host: ${host.message}`);
  const className = storeAPI.className ?? context.ingressClassName;
  const defaults = storeAPI.mutualTLS ? PASSTHROUGH_INGRESS_ANNOTATIONS : GRPC_INGRESS_ANNOTATIONS;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(context, context.names.storeAPI, 'thanos-query', { annotations: { ...defaults, ...storeAPI.annotations } }),
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      tls: [{ hosts: [host.value], secretName: storeAPI.tls?.secretName ?? context.names.storeAPITLS }],
      rules: [
        {
          host: host.value,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: context.names.query, port: { number: PORTS.grpc } } } }] },
        },
      ],
    },
  };
}

/** Thanos Query's gRPC server flags and mounts for `storeAPI.mutualTLS` (flags as in thanos cmd/thanos/query.go). */
export function queryServerTLS(replica: PrometheusReplica) {
  const mutualTLS = replica.spec.storeAPI?.mutualTLS;
  if (!mutualTLS) return { args: [], volumes: [], mounts: [] };
  return {
    args: [
      `--grpc-server-tls-cert=${STORE_API_TLS_PATHS.cert}`,
      `--grpc-server-tls-key=${STORE_API_TLS_PATHS.key}`,
      `--grpc-server-tls-client-ca=${STORE_API_TLS_PATHS.clientCA}`,
    ],
    volumes: [
      {
        name: 'grpc-server-tls',
        secret: {
          secretName: mutualTLS.serverSecret,
          items: [
            { key: 'tls.crt', path: 'tls.crt' },
            { key: 'tls.key', path: 'tls.key' },
          ],
        },
      },
      { name: 'grpc-client-ca', secret: { secretName: mutualTLS.clientCASecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ],
    mounts: [
      { name: 'grpc-server-tls', mountPath: STORE_API_TLS_PATHS.dir, readOnly: true },
      { name: 'grpc-client-ca', mountPath: STORE_API_TLS_PATHS.caDir, readOnly: true },
    ],
  };
}
