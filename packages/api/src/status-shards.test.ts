import { describe, expect, it } from 'vitest';

import type { DNSRecord, MemberEntry, PrometheusCluster, PrometheusClusterStatus } from './schemas/prometheus-cluster.ts';
import type { PrometheusClusterShard, PrometheusClusterShardStatus } from './schemas/prometheus-cluster-shard.ts';
import { ShardMerge } from './shard-merge.ts';
import { memberHash, mergedRecords, mergeShards, shardCount, shardObjectName, shardOf, splitStatus } from './status-shards.ts';
import { validate } from './validate.ts';

const entry = (name: string, phase: MemberEntry['phase'] = 'Running'): MemberEntry => ({
  name,
  phase,
  ready: phase === 'Running',
  stale: false,
  addresses: ['10.0.0.1'],
});
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
    clusters: [...members].sort().map((member) => entry(member)),
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

function shardObject(shard: number, shards: number, status: PrometheusClusterShardStatus, owner = 'global'): PrometheusClusterShard {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusClusterShard',
    metadata: { name: shardObjectName(owner, shard), namespace: 'monitoring' },
    spec: { cluster: owner, shard, shards },
    status,
  };
}

function shardObjects(parts: ReturnType<typeof splitStatus>['shards']): PrometheusClusterShard[] {
  return parts.map((status, shard) => shardObject(shard, parts.length, status));
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

const KEY = 'monitoring/global';

/** A deterministic generator (mulberry32), so a failure is the same failure every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ShardMerge', () => {
  it('gives what mergeShards gives over a long run of single-shard changes, duplicates and unsorted shards included, reusing the last merge', () => {
    const next = random(21);
    const merge = new ShardMerge();
    const count = 8;
    const split = splitStatus(fullStatus(names), count);
    const main = cluster(split.main);
    let shards = shardObjects(split.shards);
    for (let step = 0; step < 400; step++) {
      const index = Math.floor(next() * count);
      const before = shards[index]?.status?.clusters ?? [];
      const roll = next();
      // A flap; an entry gone; a name another shard holds too (hostile content); a shard's entries out of order.
      const after =
        roll < 0.6
          ? before.map((e, i) => (i === 0 ? entry(e.name, e.phase === 'Running' ? 'Degraded' : 'Running') : e))
          : roll < 0.75
            ? before.slice(1)
            : roll < 0.9
              ? [...before, entry(names[Math.floor(next() * names.length)] ?? 'x')]
              : [...before].reverse();
      shards = shards.map((s, i) => (i === index ? shardObject(index, count, { ...s.status, clusters: after }) : s));
      // Other clusters' shards and another layout's are in the cache too; order does not matter.
      const given = [
        ...shards,
        shardObject(0, count, { clusters: [entry('aaa-other')] }, 'other'),
        shardObject(1, 2, { clusters: [entry('aaa-old-layout')] }),
      ].reverse();
      expect(merge.merge(KEY, main, given)).toEqual(mergeShards(main, given));
    }
  });

  it('merges anew when the layout changes, and gives an unsharded status back as it is', () => {
    const merge = new ShardMerge();
    const four = splitStatus(fullStatus(names), 4);
    const shardsOfFour = shardObjects(four.shards);
    expect(merge.merge(KEY, cluster(four.main), shardsOfFour).status?.clusters?.map((e) => e.name)).toEqual(names);
    const eight = splitStatus(fullStatus(names.slice(0, 20)), 8);
    const shardsOfEight = shardObjects(eight.shards);
    // Both layouts in the cache while one replaces the other: the status names which one counts.
    const both = [...shardsOfFour, ...shardsOfEight];
    expect(merge.merge(KEY, cluster(eight.main), both)).toEqual(mergeShards(cluster(eight.main), both));
    expect(merge.merge(KEY, cluster(eight.main), both).status?.clusters).toHaveLength(20);
    // A shard of the layout missing (not yet written): the layout's shards are others, merged anew.
    const missing = shardsOfEight.slice(1);
    expect(merge.merge(KEY, cluster(eight.main), missing)).toEqual(mergeShards(cluster(eight.main), missing));
    const unsharded = cluster(fullStatus(['a']));
    expect(merge.merge(KEY, unsharded, shardsOfEight)).toBe(unsharded);
  });

  it('keeps each cluster apart, and forgets one', () => {
    const merge = new ShardMerge();
    const split = splitStatus(fullStatus(names), 4);
    const shards = shardObjects(split.shards);
    const other = shards.map((s) => ({ ...s, status: { ...s.status, clusters: (s.status?.clusters ?? []).slice(0, 1) } }));
    expect(merge.merge(KEY, cluster(split.main), shards).status?.clusters).toHaveLength(40);
    expect(merge.merge('monitoring/other', cluster(split.main), other).status?.clusters).toHaveLength(4);
    merge.forget(KEY);
    const changed = shards.map((s, i) => (i === 2 ? shardObject(2, 4, {}) : s));
    expect(merge.merge(KEY, cluster(split.main), changed)).toEqual(mergeShards(cluster(split.main), changed));
  });

  it('gives readers of DNS records the records mergeShards gives, without the entries', () => {
    const split = splitStatus(fullStatus(names), 4);
    const shards = shardObjects(split.shards);
    expect(mergedRecords(cluster(split.main), shards)).toEqual(mergeShards(cluster(split.main), shards).status?.endpoints);
    const unsharded = cluster(fullStatus(['a']));
    expect(mergedRecords(unsharded, shards)).toBe(unsharded.status?.endpoints);
  });
});
