import { z } from 'zod';

import {
  CATEGORY,
  GROUP,
  MEMBER_CLUSTER,
  PROMETHEUS_CLUSTER,
  PROMETHEUS_CLUSTER_SHARD,
  PROMETHEUS_REPLICA,
  VERSION,
  type KindInfo,
  type KindName,
} from '../constants.ts';
import { memberClusterSpec, memberClusterStatus } from '../schemas/member-cluster.ts';
import { prometheusClusterSpec, prometheusClusterStatus } from '../schemas/prometheus-cluster.ts';
import { prometheusClusterShardSpec, prometheusClusterShardStatus, shardName } from '../schemas/prometheus-cluster-shard.ts';
import { prometheusReplicaSpec, prometheusReplicaStatus, replicaName } from '../schemas/prometheus-replica.ts';
import { memberName } from '../schemas/member-cluster.ts';
import { toStructuralSchema, type JSONSchema } from './structural.ts';

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  jsonPath: string;
  description?: string;
  priority?: number;
}

interface CRDSource {
  info: KindInfo;
  description: string;
  name: z.ZodString;
  spec: z.ZodType;
  status: z.ZodType;
  columns: PrinterColumn[];
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const SOURCES: Record<KindName, CRDSource> = {
  PrometheusReplica: {
    info: PROMETHEUS_REPLICA,
    description: 'Prometheus with a Thanos sidecar, Thanos Store and Query (and optionally Grafana) in one member cluster.',
    name: replicaName,
    spec: prometheusReplicaSpec,
    status: prometheusReplicaStatus,
    columns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Ready', type: 'string', jsonPath: '.status.readyPods', description: 'Ready pods of all tiers' },
      { name: 'Query Host', type: 'string', jsonPath: '.status.output.queryHost' },
      { name: 'Operator', type: 'string', jsonPath: '.status.operatorVersion', description: 'Version of the operator that wrote the status', priority: 1 },
      AGE,
    ],
  },
  PrometheusCluster: {
    info: PROMETHEUS_CLUSTER,
    description: 'Fleet-wide monitoring: one PrometheusReplica in every selected member cluster, and round-robin DNS records.',
    name: replicaName,
    spec: prometheusClusterSpec,
    status: prometheusClusterStatus,
    columns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Selected', type: 'integer', jsonPath: '.status.selected' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.ready' },
      AGE,
    ],
  },
  MemberCluster: {
    info: MEMBER_CLUSTER,
    description: 'A member cluster the hub manages PrometheusReplicas in, through a credential scoped to one namespace.',
    name: memberName,
    spec: memberClusterSpec,
    status: memberClusterStatus,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Scoped', type: 'string', jsonPath: '.status.conditions[?(@.type=="CredentialScoped")].status' },
      { name: 'Kubernetes', type: 'string', jsonPath: '.status.kubernetesVersion' },
      { name: 'Operator', type: 'string', jsonPath: '.status.operatorVersion', description: 'Replica operator version its PrometheusReplicas report' },
      { name: 'Last Probe', type: 'date', jsonPath: '.status.lastProbeTime' },
      AGE,
    ],
  },
  PrometheusClusterShard: {
    info: PROMETHEUS_CLUSTER_SHARD,
    description:
      "Written by the hub: the entries and own DNS records of a share of a PrometheusCluster's members, when they are too many for the PrometheusCluster's status.",
    name: shardName,
    spec: prometheusClusterShardSpec,
    status: prometheusClusterShardStatus,
    columns: [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster' },
      { name: 'Shard', type: 'integer', jsonPath: '.spec.shard' },
      { name: 'Of', type: 'integer', jsonPath: '.spec.shards' },
      AGE,
    ],
  },
};

export function jsonSchemaOf(schema: z.ZodType): JSONSchema {
  return toStructuralSchema(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }));
}

/** The CustomResourceDefinition of a kind, generated from its zod schemas. */
export function customResourceDefinition(kind: KindName): Record<string, unknown> {
  const source = SOURCES[kind];
  const { info } = source;
  const nameSchema = jsonSchemaOf(source.name);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: info.kind,
        listKind: info.listKind,
        plural: info.plural,
        singular: info.singular,
        shortNames: [info.shortName],
        categories: [CATEGORY],
      },
      scope: info.namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: source.columns,
          schema: {
            openAPIV3Schema: {
              description: source.description,
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: {
                  type: 'object',
                  properties: { name: { type: 'string', maxLength: nameSchema.maxLength, pattern: nameSchema.pattern } },
                },
                spec: jsonSchemaOf(source.spec),
                status: jsonSchemaOf(source.status),
              },
            },
          },
        },
      ],
    },
  };
}

export function customResourceDefinitions(): Record<string, unknown>[] {
  return (Object.keys(SOURCES) as KindName[]).map(customResourceDefinition);
}

export function crdFileName(kind: KindName): string {
  return `${GROUP}_${SOURCES[kind].info.plural}.yaml`;
}
