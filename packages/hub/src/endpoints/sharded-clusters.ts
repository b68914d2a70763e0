import { inLayout, mergedRecords, type DNSRecord, type PrometheusCluster, type PrometheusClusterShard } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { objectKey } from '@promfleet/kube/client';

import { shardClusterKey } from '../caches.ts';

/**
 * The PrometheusClusters' DNS records as their readers see them: a sharded one's with its shards'
 * merged in (docs/scale.md#status-shards). The entries stay in the shards: no reader of the
 * endpoints needs them.
 */
export class ShardedClusters {
  readonly clusters: Informer<PrometheusCluster>;
  readonly shards: Informer<PrometheusClusterShard>;

  constructor(clusters: Informer<PrometheusCluster>, shards: Informer<PrometheusClusterShard>) {
    this.clusters = clusters;
    this.shards = shards;
  }

  records(cluster: PrometheusCluster): DNSRecord[] {
    return mergedRecords(cluster, this.shards.byIndex('cluster', objectKey(cluster)));
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
