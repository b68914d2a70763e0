import { describe, expect, it } from 'vitest';

import type { DNSRecord, MemberEntry, PrometheusCluster, PrometheusClusterStatus } from './schemas/prometheus-cluster.ts';
import type { PrometheusClusterShard } from './schemas/prometheus-cluster-shard.ts';
import { memberHash, mergeShards, shardCount, shardObjectName, shardOf, splitStatus } from './status-shards.ts';
import { validate } from './validate.ts';

const entry = (name: string): MemberEntry => ({ name, phase: 'Running', ready: true, stale: false, addresses: ['10.0.0.1'] });
const weighted = (member: string, dnsName = 'query.example.com'): DNSRecord => ({
  dnsName,
  recordType: 'A',
  targets: ['10.0.0.1'],
  ttl: 30,
  setIdentifier: member,
  routingPolicy: 'weighted',
  weight: 1,
});
const plain: DNSRecord = { dnsName: 'query.example.com', recordType: 'A', targets: ['10.0.0.1'], ttl: 30 };

function fullStatus(members: readonly string[]): PrometheusClusterStatus {
  return {
    observedGeneration: 3,
    phase: 'Ready',
    selected: members.length,
    ready: members.length,
    clusters: [...members].sort().map(entry),
    endpoints: [plain, ...members.map((m) => weighted(m)), ...members.map((m) => weighted(m, 'prometheus.example.com'))],
  };
}

function cluster(status: PrometheusClusterStatus): PrometheusCluster {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'global', namespace: 'monitoring' },
    spec: {} as PrometheusCluster['spec'],
    status,
  };
}

function shardObjects(parts: ReturnType<typeof splitStatus>['shards']): PrometheusClusterShard[] {
  return parts.map((status, shard) => ({
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusClusterShard',
    metadata: { name: shardObjectName('global', shard), namespace: 'monitoring' },
    spec: { cluster: 'global', shard, shards: parts.length },
    status,
  }));
}

const names = Array.from({ length: 40 }, (_, i) => `member-${String(i).padStart(3, '0')}`);

describe('status shards', () => {
  it('hashes a name with FNV-1a 32 (the published test vectors), so every hub and CLI agrees on its shard', () => {
    expect(memberHash('')).toBe(0x811c9dc5);
    expect(memberHash('a')).toBe(0xe40c292c);
    expect(memberHash('foobar')).toBe(0xbf9cf968);
    expect(shardOf('foobar', 16)).toBe(0xbf9cf968 % 16);
  });

  it('shards only past perShard members, in powers of two, shrinking only with a quarter to spare', () => {
    expect(shardCount(100, 100)).toBe(1);
    expect(shardCount(101, 100)).toBe(2);
    expect(shardCount(1000, 100)).toBe(16);
    expect(shardCount(1000, 0)).toBe(1);
    // Around a boundary the layout holds: 16 shards stay for 700 members, go to 8 at 600.
    expect(shardCount(700, 100, 16)).toBe(16);
    expect(shardCount(600, 100, 16)).toBe(8);
    expect(shardCount(90, 100, 2)).toBe(2);
    expect(shardCount(75, 100, 2)).toBe(1);
    expect(shardCount(5000, 1)).toBe(1024);
    // Unsharded up to a threshold of its own, small shards past it (the hub's defaults: 100 and 25).
    expect(shardCount(100, 25, 1, 100)).toBe(1);
    expect(shardCount(101, 25, 1, 100)).toBe(8);
    expect(shardCount(1000, 25, 1, 100)).toBe(64);
    expect(shardCount(1000, 0, 1, 100)).toBe(1);
    // Shrinking: not back to one status until the members fit the threshold with a quarter to spare.
    expect(shardCount(90, 25, 8, 100)).toBe(8);
    expect(shardCount(75, 25, 8, 100)).toBe(1);
  });

  it('splits entries and own records by member and keeps the shared records, so merging gives the same status back', () => {
    const status = fullStatus(names);
    const split = splitStatus(status, 4);
    expect(split.main.clusters).toBeUndefined();
    expect(split.main.shards).toBe(4);
    expect(split.main.endpoints).toEqual([plain]);
    expect(split.main.selected).toBe(40);
    for (const [shard, part] of split.shards.entries()) {
      expect(part.observedGeneration).toBe(3);
      for (const member of part.clusters ?? []) expect(shardOf(member.name, 4)).toBe(shard);
      for (const record of part.endpoints ?? []) expect(shardOf(record.setIdentifier ?? '', 4)).toBe(shard);
    }
    expect(split.shards.flatMap((part) => part.clusters ?? [])).toHaveLength(40);
    const merged = mergeShards(cluster(split.main), shardObjects(split.shards));
    expect(merged.status?.clusters).toEqual(status.clusters);
    expect(new Set(merged.status?.endpoints)).toEqual(new Set(status.endpoints));
    // Unsharded: the status is the status.
    expect(splitStatus(status, 1)).toEqual({ main: status, shards: [] });
  });

  it('merges only the shards of the layout the status names: shards of another layout, or of another cluster, being replaced, count for nothing', () => {
    const split = splitStatus(fullStatus(names), 2);
    const old = shardObjects(splitStatus(fullStatus(['gone-a', 'gone-b']), 4).shards);
    const other = shardObjects(split.shards).map((shard) => ({ ...shard, spec: { ...shard.spec, cluster: 'other' } }));
    const merged = mergeShards(cluster(split.main), [...old, ...other, ...shardObjects(split.shards)]);
    expect(merged.status?.clusters?.map((e) => e.name)).toEqual(names);
    // A status without shards ignores every shard.
    expect(mergeShards(cluster(fullStatus(['a'])), shardObjects(split.shards)).status?.clusters?.map((e) => e.name)).toEqual(['a']);
  });

  it('is a kind the schemas check: a shard named outside <cluster>.<n>, or with a shard past its count, is refused with the field named', () => {
    const [shard] = shardObjects(splitStatus(fullStatus(names), 2).shards);
    expect(validate('PrometheusClusterShard', shard).ok).toBe(true);
    const badName = validate('PrometheusClusterShard', { ...shard, metadata: { name: 'global-0' } });
    expect(badName.ok ? [] : badName.errors.map((e) => e.path)).toEqual(['metadata.name']);
    const badCount = validate('PrometheusClusterShard', { ...shard, spec: { cluster: 'global', shard: 0, shards: 1 } });
    expect(badCount.ok ? [] : badCount.errors.map((e) => e.path)).toEqual(['spec.shards']);
  });
});
