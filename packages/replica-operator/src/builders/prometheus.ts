import { ANNOTATIONS, DEFAULTS } from '@promfleet/api';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IVolume, IVolumeMount } from 'kubernetes-models/v1';

import { MARKER_CONTENT } from '../config/config-marker.ts';
import { labels, PORTS, selectorLabels } from '../names.ts';
import { POD_PATHS } from '../pod-paths.ts';
import { dataClaims } from './claims.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, preferredAntiAffinity, type BuildContext } from './context.ts';

const CONFIG_FILE = `${POD_PATHS.configDir}/${POD_PATHS.configFile}`;
const DATA_DIR = POD_PATHS.dataDir;
export const OBJSTORE_DIR = POD_PATHS.objstoreDir;

/**
 * The config Prometheus reads, with its marker file; an edit reaches the pods through the kubelet
 * and the sidecar's reloader reloads Prometheus — no restart.
 */
export function prometheusConfigMap(context: BuildContext): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(context, context.names.prometheusConfig, 'prometheus', { annotations: { [ANNOTATIONS.configHash]: context.config.hash } }),
    data: { [POD_PATHS.configFile]: context.config.text, [context.config.marker]: MARKER_CONTENT },
  };
}

/** The rule files of spec.rules, checked, one key per selected ConfigMap key. */
export function prometheusRulesConfigMap(context: BuildContext): IConfigMap | undefined {
  if (!context.rules) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(context, context.names.prometheusRules, 'prometheus'),
    data: { ...context.rules.files },
  };
}

const POD_NAME = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };

export function objstoreVolume(context: BuildContext): IVolume {
  return { name: 'objstore', secret: { secretName: context.replica.spec.bucketSecret, items: [{ key: DEFAULTS.bucketSecretKey, path: 'objstore.yml' }] } };
}

/**
 * Prometheus with the Thanos sidecar. Prometheus is the container's only process (it handles
 * SIGTERM) and reads its config straight from the ConfigMap, expanding `${POD_NAME}` in the
 * `replica` external label itself, so it starts whatever the sidecar does. The sidecar watches
 * the config and rules and reloads Prometheus, uploads blocks and serves the StoreAPI; min and
 * max block duration are equal, as the sidecar requires.
 */
export function prometheusStatefulSet(context: BuildContext): IStatefulSet {
  const { spec } = context.replica;
  const replicas = spec.highlyAvailable ? 2 : 1;
  const selector = selectorLabels(context.name, 'prometheus');
  const rules = context.rules !== undefined;
  const volumes: IVolume[] = [
    { name: 'config', configMap: { name: context.names.prometheusConfig } },
    ...(rules ? [{ name: 'rules', configMap: { name: context.names.prometheusRules } }] : []),
    objstoreVolume(context),
    ...(spec.storage ? [] : [{ name: 'data', emptyDir: {} }]),
  ];
  const configMounts = (): IVolumeMount[] => [
    { name: 'config', mountPath: POD_PATHS.configDir, readOnly: true },
    ...(rules ? [{ name: 'rules', mountPath: POD_PATHS.rulesDir, readOnly: true }] : []),
  ];
  const claims = dataClaims(spec.storage, selector);
  const prometheusArgs = [
    `--config.file=${CONFIG_FILE}`,
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
                // The image's entrypoint, /bin/prometheus, is PID 1: no shell in between.
                args: prometheusArgs,
                env: [POD_NAME],
                ports: [{ name: 'web', containerPort: PORTS.prometheusWeb }],
                readinessProbe: httpProbe('/-/ready', 'web', { periodSeconds: 5 }),
                livenessProbe: httpProbe('/-/healthy', 'web', { failureThreshold: 6 }),
                volumeMounts: [...configMounts(), { name: 'data', mountPath: DATA_DIR }],
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
                  `--reloader.config-file=${CONFIG_FILE}`,
                  ...(rules ? [`--reloader.rule-dir=${POD_PATHS.rulesDir}`] : []),
                  `--grpc-address=:${String(PORTS.grpc)}`,
                  `--http-address=:${String(PORTS.thanosHttp)}`,
                ],
                ports: [
                  { name: 'grpc', containerPort: PORTS.grpc },
                  { name: 'http', containerPort: PORTS.thanosHttp },
                ],
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 5 }),
                livenessProbe: httpProbe('/-/healthy', 'http', { failureThreshold: 6 }),
                volumeMounts: [...configMounts(), { name: 'data', mountPath: DATA_DIR }, { name: 'objstore', mountPath: OBJSTORE_DIR, readOnly: true }],
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
