import { type z } from 'zod';

import { API_VERSION, KINDS, type KindName } from '../constants.ts';
import { jsonSchemaOf } from '../crd/crd.ts';
import type { JSONSchema } from '../crd/structural.ts';
import { memberClusterSpec, memberClusterStatus } from '../schemas/member-cluster.ts';
import { prometheusClusterSpec, prometheusClusterStatus } from '../schemas/prometheus-cluster.ts';
import { prometheusReplicaSpec, prometheusReplicaStatus } from '../schemas/prometheus-replica.ts';
import { prometheusClusterShardSpec, prometheusClusterShardStatus } from '../schemas/prometheus-cluster-shard.ts';

const SCHEMAS: Record<KindName, { spec: z.ZodType; status: z.ZodType; intro: string }> = {
  PrometheusReplica: {
    spec: prometheusReplicaSpec,
    status: prometheusReplicaStatus,
    intro:
      'Prometheus with a Thanos sidecar, Thanos Store and Query (and optionally Grafana) in one member cluster. Created by the hub in each selected member, or by hand. See [the replica operator](replica-operator.md).',
  },
  PrometheusCluster: {
    spec: prometheusClusterSpec,
    status: prometheusClusterStatus,
    intro:
      'Fleet-wide monitoring, declared once in the hub: one PrometheusReplica in every member the selector matches, and round-robin DNS records. See [the hub](hub.md).',
  },
  MemberCluster: {
    spec: memberClusterSpec,
    status: memberClusterStatus,
    intro:
      "A member cluster and the Secret holding the hub's scoped credential for it; usually made by `promfleet join`. See [the hub](hub.md) and [security](security.md).",
  },
  PrometheusClusterShard: {
    spec: prometheusClusterShardSpec,
    status: prometheusClusterShardStatus,
    intro:
      "Written by the hub, never by hand: the member entries and own DNS records of a share of a PrometheusCluster's members, once they are more than `--members-per-shard` (its `status.shards` says how many shards). `kubectl get pfcs -l promfleet.io/prometheus-cluster=<name>` lists them; `promfleet status` merges them in. See [scale](scale.md#status-shards).",
  },
};

interface Row {
  path: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

function typeOf(schema: JSONSchema): string {
  if (schema['x-kubernetes-int-or-string'] === true) return 'quantity (string or integer)';
  const type = String(schema.type);
  if (type === 'array') return `array of ${typeOf((schema.items ?? {}) as JSONSchema)}`;
  if (type === 'object' && schema.additionalProperties && !schema.properties) return `map of ${typeOf(schema.additionalProperties as JSONSchema)}`;
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema.format === 'date-time') return 'timestamp';
  return type;
}

const numberOf = (value: unknown): string | undefined => (typeof value === 'number' ? String(value) : undefined);

function constraints(schema: JSONSchema): string {
  const parts: string[] = [];
  const [minimum, maximum, maxLength] = [numberOf(schema.minimum), numberOf(schema.maximum), numberOf(schema.maxLength)];
  if (minimum !== undefined) parts.push(`≥ ${minimum}`);
  if (maximum !== undefined) parts.push(`≤ ${maximum}`);
  if (maxLength !== undefined) parts.push(`at most ${maxLength} characters`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function rows(schema: JSONSchema, prefix: string, out: Row[]): Row[] {
  const required = new Set((schema.required ?? []) as string[]);
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JSONSchema>)) {
    const path = `${prefix}.${name}`;
    out.push({
      path,
      type: typeOf(child),
      required: required.has(name),
      default: child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``,
      description: `${typeof child.description === 'string' ? child.description : ''}${constraints(child)}`.trim(),
    });
    if (child.type === 'object' && child.properties) rows(child, path, out);
    const items = child.items as JSONSchema | undefined;
    if (child.type === 'array' && items?.properties) rows(items, `${path}[]`, out);
  }
  return out;
}

function table(list: readonly Row[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '| field | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
    ...list.map((row) => `| \`${row.path}\` | ${row.type} | ${row.required ? 'yes' : ''} | ${row.default} | ${escape(row.description)} |`),
  ].join('\n');
}

/** docs/api.md: every field of every kind, from the zod schemas the CRDs come from. */
export function renderApiReference(): string {
  const sections = KINDS.map((info) => {
    const source = SCHEMAS[info.kind];
    return [
      `## ${info.kind}`,
      '',
      `\`${API_VERSION}\`, ${info.namespaced ? 'namespaced' : 'cluster-scoped'}, short name \`${info.shortName}\`, category \`promfleet\`. ${source.intro}`,
      '',
      '### spec',
      '',
      table(rows(jsonSchemaOf(source.spec), 'spec', [])),
      '',
      '### status',
      '',
      table(rows(jsonSchemaOf(source.status), 'status', [])),
      '',
    ].join('\n');
  });
  return [
    '<!-- Generated from the zod schemas in packages/api by `pnpm generate`. Do not edit. -->',
    '# API reference',
    '',
    'Group `promfleet.io`, version `v1alpha1`. The same schemas produce the CRDs in `crds/`, the validation the controllers and `promfleet validate` run, and this page. Rules a CRD schema cannot express (`retention >= 3 x blockDuration`, and where CEL is unavailable the reserved external labels and selector value rules) are enforced by the controllers.',
    '',
    ...sections,
  ].join('\n');
}
