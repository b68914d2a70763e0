import { z } from 'zod';

import { DEFAULTS, RESERVED_EXTERNAL_LABELS } from '../constants.ts';
import { dataPlaneFields } from './data-plane.ts';
import { dataKey, dnsName, objectName, parsePrometheusDuration, prometheusDuration, quantity } from './formats.ts';
import { ingress, networkPolicy } from './replica-security.ts';

/**
 * The fields a PrometheusCluster passes to every PrometheusReplica it creates. Both kinds are
 * built from this one shape so the hub copies a spec without translating it.
 */

const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RETENTION_BLOCKS = 3;

export const metrics = z
  .strictObject({
    retention: prometheusDuration
      .default(DEFAULTS.retention)
      .describe('How long Prometheus keeps data locally (a Prometheus duration). At least 3 x blockDuration.'),
    blockDuration: prometheusDuration
      .default(DEFAULTS.blockDuration)
      .describe('TSDB block size before Thanos uploads it; used as both min and max block duration, as the Thanos sidecar requires.'),
  })
  .superRefine((value, ctx) => {
    const retention = parsePrometheusDuration(value.retention);
    const block = parsePrometheusDuration(value.blockDuration);
    if (retention === undefined || block === undefined) return;
    if (block === 0) {
      ctx.addIssue({ code: 'custom', path: ['blockDuration'], message: 'must be greater than 0', input: value.blockDuration });
    } else if (retention < RETENTION_BLOCKS * block) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention'],
        input: value.retention,
        message: `${value.retention} must be at least ${String(RETENTION_BLOCKS)} x blockDuration (${String(RETENTION_BLOCKS)} x ${value.blockDuration})`,
      });
    }
  });

export const externalLabels = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if ((RESERVED_EXTERNAL_LABELS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: [name], input: name, message: `"${name}" is reserved: the operator sets it on every Prometheus` });
      } else if (!PROMETHEUS_LABEL_NAME.test(name) || name.startsWith('__')) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          input: name,
          message: `${JSON.stringify(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`,
        });
      }
    }
  })
  .meta({
    'x-kubernetes-validations': [{ rule: "!('cluster' in self) && !('replica' in self)", message: 'cluster and replica are reserved external labels' }],
  });

export const storage = z.strictObject({
  size: quantity.describe('Size of the PersistentVolumeClaim of each Prometheus pod, e.g. 50Gi.'),
  storageClassName: objectName.optional().describe('StorageClass of the claims; the cluster default when absent.'),
});

const image = z
  .string()
  .min(1, { error: () => 'must not be empty' })
  .regex(/^\S+$/, { error: (issue) => `${JSON.stringify(issue.input)} is not an image reference (no whitespace allowed)` });

export const images = z.strictObject({
  prometheus: image.optional().describe('Prometheus image; the operator pins a tested default.'),
  thanos: image.optional().describe('Thanos image, used by the sidecar, Store and Query.'),
  grafana: image.optional().describe('Grafana image.'),
});

export const resourceRequirements = z.strictObject({
  requests: z.record(z.string(), quantity).optional(),
  limits: z.record(z.string(), quantity).optional(),
});

export const resources = z.strictObject({
  prometheus: resourceRequirements.optional(),
  thanosSidecar: resourceRequirements.optional(),
  thanosStore: resourceRequirements.optional(),
  thanosQuery: resourceRequirements.optional(),
  thanosCompact: resourceRequirements.optional(),
  grafana: resourceRequirements.optional(),
});

export const grafana = z.strictObject({
  enabled: z.boolean().default(false).describe('Deploy Grafana with the local Thanos Query as its data source.'),
  adminSecret: objectName
    .optional()
    .describe(
      'Secret in the same namespace with keys admin-user and admin-password for the Grafana admin; absent: the operator generates <name>-grafana-admin once and never rotates it.',
    ),
});

export const replicaTemplateFields = {
  configMap: objectName.describe('ConfigMap in the same namespace holding the Prometheus configuration.'),
  configMapKey: dataKey.default(DEFAULTS.configMapKey).describe('Key of the Prometheus configuration in the ConfigMap.'),
  highlyAvailable: z.boolean().default(false).describe('Two Prometheus and two Thanos Query replicas with pod anti-affinity and PodDisruptionBudgets.'),
  baseDomain: dnsName.optional().describe('Ingress hosts query.<baseDomain> (and grafana.<baseDomain>); identical on every member for round-robin DNS.'),
  metrics: metrics.prefault({}).describe('Local retention and TSDB block size.'),
  bucketSecret: objectName.describe('Secret in the same namespace with key objstore.yml holding the Thanos object storage configuration.'),
  externalLabels: externalLabels.optional().describe('Extra external labels on every series; cluster and replica are reserved.'),
  storage: storage.optional().describe('A PersistentVolumeClaim per Prometheus pod; without it data lives in an emptyDir and is lost on restart.'),
  images: images.optional().describe('Image overrides.'),
  resources: resources.optional().describe('Container resources per component.'),
  grafana: grafana.optional().describe('Optional Grafana.'),
  ingress: ingress.optional().describe('How the Ingress is served: class, annotations, TLS. Only with baseDomain.'),
  kubernetesDiscovery: z
    .boolean()
    .default(false)
    .describe(
      "Let Prometheus discover pods, services, endpoints, endpointslices and ingresses in its own namespace (kubernetes_sd_configs): a Role for Prometheus's ServiceAccount.",
    ),
  networkPolicy: networkPolicy.optional().describe("NetworkPolicies that limit who may reach the replica's pods."),
  ...dataPlaneFields,
};

export type Metrics = z.output<typeof metrics>;
export type Storage = z.output<typeof storage>;
export type Images = z.output<typeof images>;
export type ResourceRequirements = z.output<typeof resourceRequirements>;
export type Resources = z.output<typeof resources>;
