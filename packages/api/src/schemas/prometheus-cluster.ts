import { z } from 'zod';

import { API_VERSION, DEFAULTS, PROMETHEUS_CLUSTER } from '../constants.ts';
import { dnsLabelName, dnsName, dnsTarget } from './formats.ts';
import { conditionList, objectMeta } from './meta.ts';
import { REPLICA_PHASES, replicaName } from './prometheus-replica.ts';
import { replicaTemplateFields } from './replica-template.ts';
import { storeAddresses, storeEndpoint } from './store-api.ts';
import { override, rollout, rolloutStatus } from './rollout.ts';
import { labelSelector } from './selector.ts';

export const CLUSTER_PHASES = ['Pending', 'Propagating', 'Ready', 'Degraded'] as const;
export type ClusterPhase = (typeof CLUSTER_PHASES)[number];

/** A member entry's phase: its replica's phase, or what stands between the hub and it. */
export const MEMBER_ENTRY_PHASES = [...REPLICA_PHASES, 'Unknown', 'Offline', 'Conflict', 'Error', 'Deleting', 'NoOperator'] as const;
export type MemberEntryPhase = (typeof MEMBER_ENTRY_PHASES)[number];

export const DELETION_POLICIES = ['Delete', 'Orphan'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/**
 * How members share a name: `none` (one record set: every IP member's addresses, or one member's
 * CNAME), `weighted` (one record set per member, equal weights) or `multivalue` (one record set
 * per member, each answered; IP members only). The last two are Route 53 routing policies.
 */
export const ROUTING_POLICIES = ['none', 'weighted', 'multivalue'] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

export const prometheusClusterSpec = z.strictObject({
  clusterSelector: labelSelector.describe('Selects MemberClusters by their labels; {} selects every member.'),
  ...replicaTemplateFields,
  dns: z
    .strictObject({
      ttl: z.number().int().min(1).max(86_400).default(DEFAULTS.dnsTTL).describe('TTL in seconds of the round-robin records.'),
      minHealthyPercent: z
        .number()
        .int()
        .min(0)
        .max(100)
        .default(DEFAULTS.dnsMinHealthyPercent)
        .describe(
          'Fail static: when less than this percentage of the members that are published or reachable can be reached, the hub keeps publishing the unreachable ones as last known (DNSPublished reason FailingStatic) instead of removing them, since a hub cut off from its members cannot tell that from the members being down. Members that are reached and report not ready leave DNS whatever this is. 0 never holds; 100 holds whenever a published member is unreachable.',
        ),
      routingPolicy: z
        .enum(ROUTING_POLICIES, { error: (issue) => `${JSON.stringify(issue.input)} is not a routing policy (none, weighted or multivalue)` })
        .default('none')
        .describe(
          'How members share a name. none: one record set (every IP member in one A/AAAA record, or the CNAME of one member, the first by name), for every DNS provider. weighted: one record set per member with equal weights (Route 53 aws/weight). multivalue: one A/AAAA record set per member (Route 53 aws/multi-value-answer; not for hostname members).',
        ),
    })
    .prefault({})
    .describe('Round-robin DNS records built from ready members.'),
  deletionPolicy: z
    .enum(DELETION_POLICIES, { error: (issue) => `${JSON.stringify(issue.input)} is not a deletion policy (Delete or Orphan)` })
    .default('Delete')
    .describe('Delete removes member replicas when they are no longer selected or this object is deleted; Orphan leaves them.'),
  overrides: z
    .array(override)
    .optional()
    .describe('Per-member changes to the replica template, merged over it in order (later wins) for the members each selects.'),
  rollout: rollout.describe('How a change of the replica template or the overrides reaches the members.'),
});

export const memberEntry = z.object({
  name: z.string().describe('MemberCluster name.'),
  phase: z
    .enum(MEMBER_ENTRY_PHASES)
    .describe("The replica's phase, or Unknown, Offline, Conflict, Error, Deleting, NoOperator (no operator has reconciled the replica)."),
  ready: z.boolean(),
  observedGeneration: z.number().int().optional().describe('The PrometheusCluster generation the member replica has fully observed.'),
  queryHost: dnsName.optional(),
  addresses: z.array(dnsTarget).optional().describe('IPv4 or IPv6 addresses or RFC 1123 host names the member reported.'),
  storeAPI: storeAddresses.optional().describe('StoreAPI addresses (host:port) the member reported.'),
  lastSeen: z.string().meta({ format: 'date-time' }).optional().describe('Last time the hub read this replica.'),
  stale: z.boolean().describe('The member is offline: this entry is the last known state.'),
  message: z.string().optional(),
  overrides: z.array(z.string()).optional().describe('The overrides applied to this member, in order (their names, or overrides[<index>]).'),
  revision: z.string().optional().describe('The ControllerRevision this member is pinned to.'),
});

/**
 * The fields of a published record, each in its own format (names, addresses, set identifiers
 * that a zone file can hold) but not checked together: what `promfleet endpoints` accepts from
 * any hub, older ones included.
 */
export function dnsRecordFields() {
  return z.object({
    dnsName: dnsName,
    recordType: z.enum(RECORD_TYPES),
    targets: z.array(dnsTarget).describe('IPv4 or IPv6 addresses or RFC 1123 host names.'),
    ttl: z.number().int(),
    setIdentifier: dnsLabelName(63).optional().describe('The member whose record set this is, when each member has its own (weighted and multivalue routing).'),
    routingPolicy: z
      .enum(['weighted', 'multivalue'])
      .optional()
      .describe('How the DNS provider answers with the record sets of a name that carry a setIdentifier; absent: a plain record set.'),
    weight: z.number().int().min(0).max(255).optional().describe('The weight of a weighted record set (equal for every member).'),
  });
}

/**
 * A published record: what the hub writes, the endpoints API and Redis carry, and the CLI prints.
 * A routing policy and a set identifier go together — a DNS provider refuses a set identifier
 * without a policy (Route 53 does) and cannot tell apart record sets of one name without one —
 * weighted record sets carry a weight and nothing else does, and multivalue is for A and AAAA
 * only (Route 53 has no multivalue CNAME). Checked wherever records are read (status, Redis, the
 * API's clients) rather than in the CRD: only the hub writes them.
 */
export const dnsRecord = dnsRecordFields().superRefine((record, ctx) => {
  const issue = (path: string, message: string, input: unknown) => {
    ctx.addIssue({ code: 'custom', path: [path], message, input });
  };
  if (record.routingPolicy !== undefined && record.setIdentifier === undefined) {
    issue('setIdentifier', `is required with routingPolicy ${record.routingPolicy} (each member's record set is told apart by it)`, undefined);
  }
  if (record.setIdentifier !== undefined && record.routingPolicy === undefined) {
    issue(
      'routingPolicy',
      'is required with a setIdentifier (weighted or multivalue): DNS providers refuse a set identifier without a routing policy',
      undefined,
    );
  }
  if (record.routingPolicy === 'weighted' && record.weight === undefined) issue('weight', 'is required with routingPolicy weighted', undefined);
  if (record.weight !== undefined && record.routingPolicy !== 'weighted') issue('weight', 'is only for routingPolicy weighted', record.weight);
  if (record.routingPolicy === 'multivalue' && record.recordType === 'CNAME') {
    issue('routingPolicy', 'multivalue is for A and AAAA records: Route 53 has no multivalue CNAME records', record.routingPolicy);
  }
  if (record.recordType === 'CNAME' && record.targets.length !== 1)
    issue('targets', `a CNAME has exactly one target (got ${String(record.targets.length)})`, record.targets);
});

/**
 * The records of one PrometheusCluster, as a whole: each name and type is either one plain record
 * set or record sets of one routing policy with distinct set identifiers, and a name with a CNAME
 * holds nothing else (RFC 1034 §3.6.2).
 */
export const dnsRecords = z.array(dnsRecord).superRefine((records, ctx) => {
  const seen = new Map<string, { index: number; policy: string | undefined; identifiers: Set<string> }>();
  const types = new Map<string, Set<string>>();
  records.forEach((record, index) => {
    types.set(record.dnsName, (types.get(record.dnsName) ?? new Set()).add(record.recordType));
    const key = `${record.dnsName} ${record.recordType}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, { index, policy: record.routingPolicy, identifiers: new Set(record.setIdentifier === undefined ? [] : [record.setIdentifier]) });
      return;
    }
    if (first.policy === undefined || record.routingPolicy === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'setIdentifier'],
        input: record.setIdentifier,
        message: `${key} already has a record set at [${String(first.index)}]: several record sets of one name and type each need a setIdentifier and a routing policy`,
      });
    } else if (first.policy !== record.routingPolicy) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'routingPolicy'],
        input: record.routingPolicy,
        message: `${key} mixes routing policies (${first.policy} at [${String(first.index)}])`,
      });
    } else if (record.setIdentifier !== undefined && first.identifiers.has(record.setIdentifier)) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'setIdentifier'],
        input: record.setIdentifier,
        message: `${JSON.stringify(record.setIdentifier)} is used twice for ${key}`,
      });
    }
    if (record.setIdentifier !== undefined) first.identifiers.add(record.setIdentifier);
  });
  records.forEach((record, index) => {
    const others = [...(types.get(record.dnsName) ?? [])].filter((type) => type !== 'CNAME');
    if (record.recordType === 'CNAME' && others.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'recordType'],
        input: record.recordType,
        message: `a CNAME cannot share ${record.dnsName} with ${others.join(' and ')} records`,
      });
    }
  });
});

export const prometheusClusterStatus = z.object({
  observedGeneration: z.number().int().optional(),
  phase: z.enum(CLUSTER_PHASES).optional(),
  conditions: conditionList.optional().describe('Ready, Propagated.'),
  selected: z.number().int().optional().describe('Members the selector matches.'),
  ready: z.number().int().optional().describe('Selected members whose replica is ready.'),
  clusters: z
    .array(memberEntry)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional(),
  endpoints: dnsRecords.optional().describe('Round-robin records from ready, non-stale members.'),
  storeEndpoints: z
    .array(storeEndpoint)
    .optional()
    .describe(
      'StoreAPI addresses of the ready, non-stale members, by member then address: what the global Thanos Query reads (the <name>-store-endpoints ConfigMap).',
    ),
  rollout: rolloutStatus.optional().describe('Where the members stand against the newest revision.'),
  shards: z
    .number()
    .int()
    .min(2)
    .optional()
    .describe(
      'Set when the members are too many for one object: their entries (clusters) and their own records (weighted and multivalue endpoints) are then in this many PrometheusClusterShards, labelled promfleet.io/prometheus-cluster=<name>, and not here.',
    ),
});

export const prometheusCluster = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(PROMETHEUS_CLUSTER.kind),
  metadata: objectMeta(replicaName),
  spec: prometheusClusterSpec,
  status: prometheusClusterStatus.optional(),
});

export type PrometheusClusterSpec = z.output<typeof prometheusClusterSpec>;
export type PrometheusClusterSpecInput = z.input<typeof prometheusClusterSpec>;
export type PrometheusClusterStatus = z.output<typeof prometheusClusterStatus>;
export type PrometheusCluster = z.output<typeof prometheusCluster>;
export type MemberEntry = z.output<typeof memberEntry>;
export type DNSRecord = z.output<typeof dnsRecord>;
