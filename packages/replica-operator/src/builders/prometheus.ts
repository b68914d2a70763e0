import { ANNOTATIONS, DEFAULTS } from '@promfleet/api';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IPersistentVolumeClaim, IVolume } from 'kubernetes-models/v1';

import { labels, PORTS, selectorLabels } from '../names.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, preferredAntiAffinity, type BuildContext } from './context.ts';

const CONFIG_DIR = '/etc/prometheus/config';
const CONFIG_OUT_DIR = '/etc/prometheus/config_out';
const RENDERED_CONFIG = `${CONFIG_OUT_DIR}/prometheus.env.yaml`;
const CONFIG_FILE = 'prometheus.yml';
const DATA_DIR = '/prometheus';
export const OBJSTORE_DIR = '/etc/thanos/objstore';

/** The config the sidecar's reloader reads; editing it reloads Prometheus without a restart. */
export function prometheusConfigMap(context: BuildContext): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(context, context.names.prometheusConfig, 'prometheus', { annotations: { [ANNOTATIONS.configHash]: context.config.hash } }),
    data: { [CONFIG_FILE]: context.config.text },
  };
}

export function objstoreVolume(context: BuildContext): IVolume {
  return { name: 'objstore', secret: { secretName: context.replica.spec.bucketSecret, items: [{ key: DEFAULTS.bucketSecretKey, path: 'objstore.yml' }] } };
}

/**
 * Prometheus with the Thanos sidecar. The sidecar renders the config (replacing `$(POD_NAME)`
 * so each pod carries its own `replica` external label), uploads blocks, and serves the
 * StoreAPI; min and max block duration are equal, as the sidecar requires.
 */
export function prometheusStatefulSet(context: BuildContext): IStatefulSet {
  const { spec } = context.replica;
  const replicas = spec.highlyAvailable ? 2 : 1;
  const selector = selectorLabels(context.name, 'prometheus');
  const volumes: IVolume[] = [
    { name: 'config', configMap: { name: context.names.prometheusConfig } },
    { name: 'config-out', emptyDir: {} },
    objstoreVolume(context),
    ...(spec.storage ? [] : [{ name: 'data', emptyDir: {} }]),
  ];
  const claims: IPersistentVolumeClaim[] = spec.storage
    ? [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: spec.storage.size } },
            ...(spec.storage.storageClassName ? { storageClassName: spec.storage.storageClassName } : {}),
          },
        },
      ]
    : [];
  const prometheusArgs = [
    `--config.file=${RENDERED_CONFIG}`,
    `--storage.tsdb.path=${DATA_DIR}`,
    `--storage.tsdb.retention.time=${spec.metrics.retention}`,
    `--storage.tsdb.min-block-duration=${spec.metrics.blockDuration}`,
    `--storage.tsdb.max-block-duration=${spec.metrics.blockDuration}`,
    '--web.enable-lifecycle',
    `--web.listen-address=:${String(PORTS.prometheusWeb)}`,
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(context, context.names.prometheus, 'prometheus'),
    spec: {
      replicas,
      serviceName: context.names.sidecarService,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: labels(context.name, 'prometheus'),
          annotations: { [ANNOTATIONS.bucketSecretHash]: context.bucketSecretHash },
        },
        spec: {
          // Its own identity, for kubernetes_sd_configs: rights come from kubernetesDiscovery or an admin.
          serviceAccountName: context.names.prometheusServiceAccount,
          securityContext: POD_SECURITY_CONTEXT,
          ...(replicas > 1 ? { affinity: preferredAntiAffinity(selector) } : {}),
          terminationGracePeriodSeconds: 600,
          containers: [
            container(
              {
                name: 'prometheus',
                image: context.images.prometheus,
                // The sidecar writes the rendered config; start Prometheus once it exists rather
                // than crash-looping until it does.
                command: ['/bin/sh', '-c', `until [ -s ${RENDERED_CONFIG} ]; do sleep 1; done; exec /bin/prometheus "$@"`, '--'],
                args: prometheusArgs,
                ports: [{ name: 'web', containerPort: PORTS.prometheusWeb }],
                readinessProbe: httpProbe('/-/ready', 'web', { periodSeconds: 5 }),
                livenessProbe: httpProbe('/-/healthy', 'web', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'config-out', mountPath: CONFIG_OUT_DIR, readOnly: true },
                  { name: 'data', mountPath: DATA_DIR },
                ],
              },
              spec.resources?.prometheus,
            ),
            container(
              {
                name: 'thanos-sidecar',
                image: context.images.thanos,
                args: [
                  'sidecar',
                  `--tsdb.path=${DATA_DIR}`,
                  `--prometheus.url=http://localhost:${String(PORTS.prometheusWeb)}`,
                  `--objstore.config-file=${OBJSTORE_DIR}/objstore.yml`,
                  `--reloader.config-file=${CONFIG_DIR}/${CONFIG_FILE}`,
                  `--reloader.config-envsubst-file=${RENDERED_CONFIG}`,
                  `--grpc-address=:${String(PORTS.grpc)}`,
                  `--http-address=:${String(PORTS.thanosHttp)}`,
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [
                  { name: 'grpc', containerPort: PORTS.grpc },
                  { name: 'http', containerPort: PORTS.thanosHttp },
                ],
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 5 }),
                livenessProbe: httpProbe('/-/healthy', 'http', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'config-out', mountPath: CONFIG_OUT_DIR },
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'objstore', mountPath: OBJSTORE_DIR, readOnly: true },
                ],
              },
              spec.resources?.thanosSidecar,
            ),
          ],
          volumes,
        },
      },
      ...(claims.length > 0 ? { volumeClaimTemplates: claims } : {}),
    },
  };
}
