import { mergeShards, PrometheusClusterShards, shardSelector, type PrometheusCluster } from '@promfleet/api';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';

/**
 * The PrometheusClusters with their shards merged in: a cluster past the hub's
 * `--unsharded-members` keeps its member entries and their own records in
 * PrometheusClusterShards (its `status.shards` says so), one list each.
 */
export async function wholeClusters(hub: KubeClient, clusters: readonly PrometheusCluster[]): Promise<PrometheusCluster[]> {
  const shards = new ResourceClient(hub, PrometheusClusterShards);
  return Promise.all(
    clusters.map(async (cluster) => {
      if (cluster.status?.shards === undefined) return cluster;
      const { items } = await shards.listAll({ namespace: cluster.metadata.namespace, labelSelector: shardSelector(cluster.metadata.name) });
      return mergeShards(cluster, items);
    }),
  );
}
