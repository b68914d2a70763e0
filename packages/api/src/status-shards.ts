import { LABELS } from './constants.ts';
import type { DNSRecord, MemberEntry, PrometheusCluster, PrometheusClusterStatus } from './schemas/prometheus-cluster.ts';
import { MAX_SHARDS, type PrometheusClusterShard, type PrometheusClusterShardStatus } from './schemas/prometheus-cluster-shard.ts';

/**
 * A PrometheusCluster of many members keeps their entries and their own records (weighted and
 * multivalue record sets) in PrometheusClusterShards, as Kubernetes keeps a Service's endpoints
 * in EndpointSlices: the API server stores and sends a whole object on every write, so a
 * member's change then costs what its shard weighs, not what the fleet does (docs/scale.md).
 * The PrometheusCluster's `status.shards` says how many there are; without it there are none.
 */

/** FNV-1a (32 bits) of a member's name: its shard is this modulo the shard count. */
export function memberHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function shardOf(member: string, shards: number): number {
  return memberHash(member) % shards;
}

export function shardObjectName(cluster: string, shard: number): string {
  return `${cluster}.${String(shard)}`;
}

/** The label selector of a PrometheusCluster's shards. */
export function shardSelector(cluster: string): string {
  return `${LABELS.prometheusCluster}=${cluster}`;
}

function powerOfTwoAtLeast(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return Math.min(power, MAX_SHARDS);
}

/**
 * How many shards `members` members take: none (1, the status holds them) up to `unsharded`
 * members, past it enough for at most `perShard` each, a power of two so that a growing fleet
 * moves members only when it doubles. It shrinks only once the members would fit with a quarter
 * to spare, so a fleet around a boundary does not move its members back and forth. `perShard` 0:
 * never sharded.
 */
export function shardCount(members: number, perShard: number, current = 1, unsharded = perShard): number {
  if (perShard <= 0) return 1;
  const wanted = members <= unsharded ? 1 : powerOfTwoAtLeast(Math.ceil(members / perShard));
  if (wanted >= current) return wanted;
  const roomy = members <= unsharded * 0.75 ? 1 : powerOfTwoAtLeast(Math.ceil(members / (perShard * 0.75)));
  return Math.min(current, Math.max(wanted, roomy));
}

export interface SplitStatus {
  /** The PrometheusCluster's own status: everything but the shards' entries and records. */
  readonly main: PrometheusClusterStatus;
  /** By shard: its members' entries and own records (empty when unsharded). */
  readonly shards: readonly PrometheusClusterShardStatus[];
}

/** A member's own record set names it (`setIdentifier`); the others (routing policy `none`) are the cluster's. */
function ownerOf(record: DNSRecord): string | undefined {
  return record.setIdentifier;
}

/** A full status (every entry and record) as the objects that hold it with `shards` shards. */
export function splitStatus(status: PrometheusClusterStatus, shards: number): SplitStatus {
  const { shards: _layout, ...rest } = status;
  if (shards <= 1) return { main: rest, shards: [] };
  const parts = Array.from({ length: shards }, () => ({ clusters: [] as MemberEntry[], endpoints: [] as DNSRecord[] }));
  for (const entry of status.clusters ?? []) parts[shardOf(entry.name, shards)]?.clusters.push(entry);
  const shared: DNSRecord[] = [];
  for (const record of status.endpoints ?? []) {
    const owner = ownerOf(record);
    if (owner === undefined) shared.push(record);
    else parts[shardOf(owner, shards)]?.endpoints.push(record);
  }
  const { clusters: _entries, endpoints: _records, ...summary } = rest;
  const observed = status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {};
  return {
    main: { ...summary, ...(status.endpoints ? { endpoints: shared } : {}), shards },
    shards: parts.map((part) => ({ ...observed, clusters: part.clusters, endpoints: part.endpoints })),
  };
}

/** The shard is one of the layout `cluster`'s status names (not one being replaced, nor another cluster's). */
export function inLayout(cluster: PrometheusCluster, shard: PrometheusClusterShard): boolean {
  const count = cluster.status?.shards;
  return count !== undefined && shard.spec.cluster === cluster.metadata.name && shard.spec.shards === count && shard.spec.shard < count;
}

/** The shards of the layout `cluster`'s status names, in shard order. */
export function layoutShards(cluster: PrometheusCluster, shards: readonly PrometheusClusterShard[]): PrometheusClusterShard[] {
  return shards.filter((shard) => inLayout(cluster, shard)).sort((a, b) => a.spec.shard - b.spec.shard);
}

/** The order of a merged status's entries (`mergeShards`). */
export function byName(a: MemberEntry, b: MemberEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The cluster's records, then each shard's of `ours` in their order. */
export function recordsOf(cluster: PrometheusCluster, ours: readonly PrometheusClusterShard[]): DNSRecord[] {
  return [...(cluster.status?.endpoints ?? []), ...ours.flatMap((shard) => shard.status?.endpoints ?? [])];
}

/**
 * The PrometheusCluster as if unsharded: its status with the entries and records of the shards its
 * `status.shards` names (shards of another layout, being replaced, are left out). Entries by name,
 * as an unsharded status orders them (a name in two shards: in shard order); the cluster's
 * records, then each shard's in shard order.
 */
export function mergeShards(cluster: PrometheusCluster, shards: readonly PrometheusClusterShard[]): PrometheusCluster {
  if (cluster.status?.shards === undefined) return cluster;
  const ours = layoutShards(cluster, shards);
  const clusters = ours.flatMap((shard) => shard.status?.clusters ?? []).sort(byName);
  return { ...cluster, status: { ...cluster.status, clusters, endpoints: recordsOf(cluster, ours) } };
}

/** A status's records, its shards' merged in as `mergeShards` merges them: for readers of DNS records only, without sorting the entries. */
export function mergedRecords(cluster: PrometheusCluster, shards: readonly PrometheusClusterShard[]): DNSRecord[] {
  if (cluster.status?.shards === undefined) return cluster.status?.endpoints ?? [];
  return recordsOf(cluster, layoutShards(cluster, shards));
}
