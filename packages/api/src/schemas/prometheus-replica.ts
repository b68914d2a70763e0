import { z } from 'zod';

import { API_VERSION, MAX_REPLICA_NAME_LENGTH, PROMETHEUS_REPLICA } from '../constants.ts';
import { dnsLabelName, dnsName, dnsTarget, softwareVersion } from './formats.ts';
import { conditionList, objectMeta } from './meta.ts';
import { replicaTemplateFields } from './replica-template.ts';

export const REPLICA_PHASES = ['Pending', 'Creating', 'Running', 'Degraded', 'Failed', 'Paused'] as const;
export type ReplicaPhase = (typeof REPLICA_PHASES)[number];

/** Names of children derive from the replica's name, so it must be a short RFC 1035 label. */
export const replicaName = dnsLabelName(MAX_REPLICA_NAME_LENGTH, true);

export const prometheusReplicaSpec = z.strictObject({
  ...replicaTemplateFields,
  clusterName: z
    .string()
    .min(1)
    .max(253)
    .optional()
    .describe('Value of the cluster external label; the hub sets it to the member name. Defaults to the namespace name.'),
  paused: z.boolean().default(false).describe('Stop reconciling this replica; its status says so.'),
});

const podNames = z.array(z.string());

export const prometheusReplicaStatus = z.object({
  observedGeneration: z.number().int().optional().describe('The metadata.generation this status describes.'),
  phase: z.enum(REPLICA_PHASES).optional().describe('Pending, Creating, Running, Degraded, Failed or Paused.'),
  readyPods: z.string().optional().describe('Ready pods of all tiers, as ready/desired.'),
  conditions: conditionList
    .optional()
    .describe('Ready, Reconciled, ConfigValid, BucketSecretValid, PersistentStorage, and GrafanaAdminSecretValid with Grafana.'),
  output: z
    .object({
      query: z.string().optional().describe('In-cluster URL of Thanos Query.'),
      queryHost: dnsName.optional().describe('Ingress host of Thanos Query, when baseDomain is set.'),
      grafanaHost: dnsName.optional().describe('Ingress host of Grafana, when baseDomain is set and Grafana is enabled.'),
      addresses: z.array(dnsTarget).optional().describe('Load-balancer IPs or hostnames of the Ingress.'),
    })
    .optional(),
  local: z
    .object({
      prometheus: podNames.optional(),
      query: podNames.optional(),
      store: podNames.optional(),
      compactor: podNames.optional(),
      grafana: podNames.optional(),
    })
    .optional()
    .describe('Pod names per tier.'),
  operatorVersion: softwareVersion.optional().describe('Release version of the replica operator that wrote this status.'),
});

export const prometheusReplica = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(PROMETHEUS_REPLICA.kind),
  metadata: objectMeta(replicaName),
  spec: prometheusReplicaSpec,
  status: prometheusReplicaStatus.optional(),
});

export type PrometheusReplicaSpec = z.output<typeof prometheusReplicaSpec>;
export type PrometheusReplicaSpecInput = z.input<typeof prometheusReplicaSpec>;
export type PrometheusReplicaStatus = z.output<typeof prometheusReplicaStatus>;
export type PrometheusReplica = z.output<typeof prometheusReplica>;
