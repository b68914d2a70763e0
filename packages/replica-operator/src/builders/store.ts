import { ANNOTATIONS } from '@promfleet/api';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';

import { labels, PORTS, selectorLabels } from '../names.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, type BuildContext } from './context.ts';
import { OBJSTORE_DIR, objstoreVolume } from './prometheus.ts';

/** Thanos Store: the StoreAPI over the blocks in the bucket. Its disk is a cache, so emptyDir. */
export function storeStatefulSet(context: BuildContext): IStatefulSet {
  const selector = selectorLabels(context.name, 'thanos-store');
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(context, context.names.store, 'thanos-store'),
    spec: {
      replicas: 1,
      serviceName: context.names.store,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labels(context.name, 'thanos-store'), annotations: { [ANNOTATIONS.bucketSecretHash]: context.bucketSecretHash } },
        spec: {
          // Thanos never talks to the Kubernetes API: no token to steal.
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY_CONTEXT,
          containers: [
            container(
              {
                name: 'thanos-store',
                image: context.images.thanos,
                args: [
                  'store',
                  '--data-dir=/var/thanos/store',
                  `--objstore.config-file=${OBJSTORE_DIR}/objstore.yml`,
                  `--grpc-address=:${String(PORTS.grpc)}`,
                  `--http-address=:${String(PORTS.thanosHttp)}`,
                ],
                ports: [
                  { name: 'grpc', containerPort: PORTS.grpc },
                  { name: 'http', containerPort: PORTS.thanosHttp },
                ],
                readinessProbe: httpProbe('/-/ready', 'http'),
                livenessProbe: httpProbe('/-/healthy', 'http', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'data', mountPath: '/var/thanos/store' },
                  { name: 'objstore', mountPath: OBJSTORE_DIR, readOnly: true },
                ],
              },
              context.replica.spec.resources?.thanosStore,
            ),
          ],
          volumes: [{ name: 'data', emptyDir: {} }, objstoreVolume(context)],
        },
      },
    },
  };
}
