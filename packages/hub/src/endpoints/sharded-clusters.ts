import { inLayout, mergeShards, type PrometheusCluster, type PrometheusClusterShard } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { objectKey } from '@promfleet/kube/client';

import { shardClusterKey } from '../caches.ts';

/**
 * The PrometheusClusters as the readers of their status see them, whole: a sharded one with its
 * shards' entries and records merged in (docs/scale.md#status-shards).
 */
export class ShardedClusters {
  readonly clusters: Informer<PrometheusCluster>;
  readonly shards: Informer<PrometheusClusterShard>;

  constructor(clusters: Informer<PrometheusCluster>, shards: Informer<PrometheusClusterShard>) {
    this.clusters = clusters;
    this.shards = shards;
  }

  whole(cluster: PrometheusCluster): PrometheusCluster {
    return cluster.status?.shards === undefined ? cluster : mergeShards(cluster, this.shards.byIndex('cluster', objectKey(cluster)));
  }

  list(): PrometheusCluster[] {
    return this.clusters.list().map((cluster) => this.whole(cluster));
  }

  /** The cluster a shard belongs to if the shard is of the layout its status names (else the shard changes nothing it shows). */
  ownerOf(shard: PrometheusClusterShard): PrometheusCluster | undefined {
    const cluster = this.clusters.get(shardClusterKey(shard));
    return cluster && inLayout(cluster, shard) ? cluster : undefined;
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([this.clusters.waitForSync(signal), this.shards.waitForSync(signal)]);
  }
}
