import { describe, expect, it } from 'vitest';

import type { MemberEntry, PrometheusCluster, PrometheusClusterStatus } from './schemas/prometheus-cluster.ts';
import type { PrometheusClusterShard } from './schemas/prometheus-cluster-shard.ts';
import { ShardMerge } from './shard-merge.ts';
import { mergedRecords, mergeShards, shardObjectName, splitStatus } from './status-shards.ts';

const KEY = 'monitoring/global';
const entry = (name: string, phase: MemberEntry['phase'] = 'Running'): MemberEntry => ({
  name,
  phase,
  ready: phase === 'Running',
  stale: false,
  addresses: ['10.0.0.1'],
});

function cluster(status: PrometheusClusterStatus): PrometheusCluster {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'global', namespace: 'monitoring' },
    spec: {} as PrometheusCluster['spec'],
    status,
  };
}

function shard(index: number, count: number, clusters: MemberEntry[], owner = 'global'): PrometheusClusterShard {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusClusterShard',
    metadata: { name: shardObjectName(owner, index), namespace: 'monitoring' },
    spec: { cluster: owner, shard: index, shards: count },
    status: {
      clusters,
      endpoints: clusters.map((e) => ({ dnsName: 'q.example.com', recordType: 'A', targets: e.addresses ?? [], ttl: 30, setIdentifier: e.name })),
    },
  };
}

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

const names = Array.from({ length: 200 }, (_, i) => `member-${String(i).padStart(3, '0')}`);

describe('ShardMerge', () => {
  it('gives what mergeShards gives over a long run of single-shard changes, duplicates and unsorted shards included, reusing the last merge', () => {
    const next = random(21);
    const merge = new ShardMerge();
    const count = 16;
    const main = cluster({ ...splitStatus({ clusters: names.map((n) => entry(n)) }, count).main });
    let shards = splitStatus({ clusters: names.map((n) => entry(n)) }, count).shards.map((status, index) => shard(index, count, status.clusters ?? []));
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
      shards = shards.map((s, i) => (i === index ? shard(index, count, after) : s));
      // Other clusters' shards and another layout's are in the cache too; order does not matter.
      const given = [...shards, shard(0, count, [entry('aaa-other')], 'other'), shard(1, 2, [entry('aaa-old-layout')])].reverse();
      expect(merge.merge(KEY, main, given)).toEqual(mergeShards(main, given));
    }
  });

  it('merges anew when the layout changes, and gives an unsharded status back as it is', () => {
    const merge = new ShardMerge();
    const four = splitStatus({ clusters: names.map((n) => entry(n)) }, 4);
    const shardsOfFour = four.shards.map((status, index) => shard(index, 4, status.clusters ?? []));
    expect(merge.merge(KEY, cluster(four.main), shardsOfFour).status?.clusters?.map((e) => e.name)).toEqual(names);
    const eight = splitStatus({ clusters: names.slice(0, 100).map((n) => entry(n)) }, 8);
    const shardsOfEight = eight.shards.map((status, index) => shard(index, 8, status.clusters ?? []));
    // Both layouts in the cache while one replaces the other: the status names which one counts.
    const both = [...shardsOfFour, ...shardsOfEight];
    expect(merge.merge(KEY, cluster(eight.main), both)).toEqual(mergeShards(cluster(eight.main), both));
    expect(merge.merge(KEY, cluster(eight.main), both).status?.clusters).toHaveLength(100);
    // A shard of the layout missing (not yet written): the layout's shards are others, merged anew.
    const missing = shardsOfEight.slice(1);
    expect(merge.merge(KEY, cluster(eight.main), missing)).toEqual(mergeShards(cluster(eight.main), missing));
    const unsharded = cluster({ clusters: [entry('a')] });
    expect(merge.merge(KEY, unsharded, shardsOfEight)).toBe(unsharded);
  });

  it('keeps each cluster apart, and forgets one', () => {
    const merge = new ShardMerge();
    const split = splitStatus({ clusters: names.map((n) => entry(n)) }, 4);
    const shards = split.shards.map((status, index) => shard(index, 4, status.clusters ?? []));
    const other = split.shards.map((status, index) => shard(index, 4, (status.clusters ?? []).slice(0, 1)));
    expect(merge.merge(KEY, cluster(split.main), shards).status?.clusters).toHaveLength(200);
    expect(merge.merge('monitoring/other', cluster(split.main), other).status?.clusters).toHaveLength(4);
    merge.forget(KEY);
    const changed = shards.map((s, i) => (i === 2 ? shard(2, 4, []) : s));
    expect(merge.merge(KEY, cluster(split.main), changed)).toEqual(mergeShards(cluster(split.main), changed));
  });

  it('gives readers of DNS records the records mergeShards gives, without the entries', () => {
    const split = splitStatus(
      { clusters: names.map((n) => entry(n)), endpoints: [{ dnsName: 'q.example.com', recordType: 'A', targets: ['10.0.0.9'], ttl: 30 }] },
      4,
    );
    const shards = split.shards.map((status, index) => shard(index, 4, status.clusters ?? []));
    expect(mergedRecords(cluster(split.main), shards)).toEqual(mergeShards(cluster(split.main), shards).status?.endpoints);
    const unsharded = cluster({ endpoints: [{ dnsName: 'q.example.com', recordType: 'A', targets: ['10.0.0.9'], ttl: 30 }] });
    expect(mergedRecords(unsharded, shards)).toBe(unsharded.status?.endpoints);
  });
});
