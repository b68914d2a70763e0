import { z } from 'zod';

import { API_VERSION, PROMETHEUS_CLUSTER_SHARD } from '../constants.ts';
import { objectMeta } from './meta.ts';
import { dnsRecords, memberEntry } from './prometheus-cluster.ts';
import { replicaName } from './prometheus-replica.ts';

/** Shards a PrometheusCluster's members can be spread over. */
export const MAX_SHARDS = 1024;

/** `<PrometheusCluster name>.<shard>`: a dot, which a PrometheusCluster's name cannot hold, so no shard's name (or DNSEndpoint's) is a cluster's. */
export const shardName = z
  .string()
  .max(63)
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?\.(0|[1-9][0-9]{0,3})$/, { error: (issue) => `${JSON.stringify(issue.input)} must be <PrometheusCluster name>.<shard>` });

export const prometheusClusterShardSpec = z.strictObject({
  cluster: replicaName.describe('The PrometheusCluster (in this namespace) whose members this shard holds.'),
  shard: z
    .number()
    .int()
    .min(0)
    .max(MAX_SHARDS - 1)
    .describe('This shard: the members whose name hashes (FNV-1a, 32 bits) to it modulo shards.'),
  shards: z.number().int().min(2).max(MAX_SHARDS).describe("How many shards the PrometheusCluster's members are spread over."),
});

export const prometheusClusterShardStatus = z.object({
  observedGeneration: z.number().int().optional().describe('The PrometheusCluster generation these entries were written for.'),
  clusters: z
    .array(memberEntry)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional()
    .describe("This shard's members' entries, as status.clusters of an unsharded PrometheusCluster."),
  endpoints: dnsRecords
    .optional()
    .describe("This shard's members' own record sets (weighted and multivalue routing), mirrored into a DNSEndpoint of the shard's name."),
});

export const prometheusClusterShard = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(PROMETHEUS_CLUSTER_SHARD.kind),
  metadata: objectMeta(shardName),
  spec: prometheusClusterShardSpec,
  status: prometheusClusterShardStatus.optional(),
});

export type PrometheusClusterShardStatus = z.output<typeof prometheusClusterShardStatus>;
export type PrometheusClusterShard = z.output<typeof prometheusClusterShard>;
