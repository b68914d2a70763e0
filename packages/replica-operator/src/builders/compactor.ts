import { ANNOTATIONS } from '@promfleet/api';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IService } from 'kubernetes-models/v1';

import { labels, PORTS, selectorLabels } from '../names.ts';
import { dataClaims } from './claims.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, type BuildContext } from './context.ts';
import { OBJSTORE_DIR, objstoreVolume } from './prometheus.ts';

const DATA_DIR = '/var/thanos/compact';

/** RE2's QuoteMeta: the value as a regular expression matching exactly itself. */
export function quoteMeta(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Which blocks of the bucket the Compactor may touch: those whose external labels say this
 * replica's Prometheus pods made them (`cluster` = clusterName, `replica` = one of its pods).
 * Members sharing a bucket thus never compact, downsample or delete each other's blocks.
 */
export function compactorSelector(context: BuildContext): string {
  // JSON is YAML, and stays on one line of the pod spec.
  return JSON.stringify([
    {
      action: 'keep',
      source_labels: ['cluster', 'replica'],
      separator: ';',
      regex: `${quoteMeta(context.clusterName)};${quoteMeta(context.names.prometheus)}-[0-9]+`,
    },
  ]);
}

/**
 * The Thanos Compactor of the replica: one pod (a StatefulSet of one, as two Compactors on the
 * same blocks would corrupt them), compacting, downsampling and applying retention to this
 * replica's blocks, with a claim for its working directory when spec.compaction.storage says so.
 */
export function compactorStatefulSet(context: BuildContext): IStatefulSet | undefined {
  const compaction = context.replica.spec.compaction;
  if (!compaction.enabled) return undefined;
  const selector = selectorLabels(context.name, 'thanos-compact');
  const claims = dataClaims(compaction.storage, selector);
  const { retention } = compaction;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(context, context.names.compactor, 'thanos-compact'),
    spec: {
      replicas: 1,
      serviceName: context.names.compactor,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labels(context.name, 'thanos-compact'), annotations: { [ANNOTATIONS.bucketSecretHash]: context.bucketSecretHash } },
        spec: {
          // Thanos never talks to the Kubernetes API: no token to steal.
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY_CONTEXT,
          containers: [
            container(
              {
                name: 'thanos-compact',
                image: context.images.thanos,
                args: [
                  'compact',
                  '--wait',
                  '--wait-interval=5m',
                  `--data-dir=${DATA_DIR}`,
                  `--objstore.config-file=${OBJSTORE_DIR}/objstore.yml`,
                  `--http-address=:${String(PORTS.thanosHttp)}`,
                  `--retention.resolution-raw=${retention.raw}`,
                  `--retention.resolution-5m=${retention.fiveMinutes}`,
                  `--retention.resolution-1h=${retention.oneHour}`,
                  ...(compaction.downsampling ? [] : ['--downsampling.disable']),
                  `--selector.relabel-config=${compactorSelector(context)}`,
                ],
                ports: [{ name: 'http', containerPort: PORTS.thanosHttp }],
                readinessProbe: httpProbe('/-/ready', 'http'),
                livenessProbe: httpProbe('/-/healthy', 'http', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'objstore', mountPath: OBJSTORE_DIR, readOnly: true },
                ],
              },
              context.replica.spec.resources?.thanosCompact,
            ),
          ],
          volumes: [...(compaction.storage ? [] : [{ name: 'data', emptyDir: {} }]), objstoreVolume(context)],
        },
      },
      ...(claims.length > 0 ? { volumeClaimTemplates: claims } : {}),
    },
  };
}

/** Its headless Service: the StatefulSet's governing Service, and where its metrics and block viewer are. */
export function compactorService(context: BuildContext): IService | undefined {
  if (!context.replica.spec.compaction.enabled) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(context, context.names.compactor, 'thanos-compact'),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: selectorLabels(context.name, 'thanos-compact'),
      ports: [{ name: 'http', port: PORTS.thanosHttp, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
