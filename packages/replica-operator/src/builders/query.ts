import type { IDeployment } from 'kubernetes-models/apps/v1';

import { labels, PORTS, selectorLabels } from '../names.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, preferredAntiAffinity, serviceHost, type BuildContext } from './context.ts';
import { queryServerTLS } from './store-api.ts';

/**
 * Thanos Query over the local sidecars and Store, found through the DNS SRV records of their
 * headless Services (`--endpoint`; Query no longer has `--store`). `replica` is the label the
 * HA pair differs by, so Query deduplicates on it. With `storeAPI.mutualTLS` its gRPC server
 * (what a global Query reads) requires TLS and a client certificate.
 */
export function queryDeployment(context: BuildContext): IDeployment {
  const replicas = context.replica.spec.highlyAvailable ? 2 : 1;
  const selector = selectorLabels(context.name, 'thanos-query');
  const tls = queryServerTLS(context.replica);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(context, context.names.query, 'thanos-query'),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(context.name, 'thanos-query') },
        spec: {
          // Thanos never talks to the Kubernetes API: no token to steal.
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY_CONTEXT,
          ...(replicas > 1 ? { affinity: preferredAntiAffinity(selector) } : {}),
          ...(tls.volumes.length > 0 ? { volumes: tls.volumes } : {}),
          containers: [
            container(
              {
                name: 'thanos-query',
                image: context.images.thanos,
                args: [
                  'query',
                  `--http-address=:${String(PORTS.queryHttp)}`,
                  `--grpc-address=:${String(PORTS.grpc)}`,
                  '--query.replica-label=replica',
                  `--endpoint=dnssrv+_grpc._tcp.${serviceHost(context, context.names.sidecarService)}`,
                  `--endpoint=dnssrv+_grpc._tcp.${serviceHost(context, context.names.store)}`,
                  ...tls.args,
                ],
                ...(tls.mounts.length > 0 ? { volumeMounts: tls.mounts } : {}),
                ports: [
                  { name: 'http', containerPort: PORTS.queryHttp },
                  { name: 'grpc', containerPort: PORTS.grpc },
                ],
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 5 }),
                livenessProbe: httpProbe('/-/healthy', 'http', { failureThreshold: 6 }),
              },
              context.replica.spec.resources?.thanosQuery,
            ),
          ],
        },
      },
    },
  };
}
