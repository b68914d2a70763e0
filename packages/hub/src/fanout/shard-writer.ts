import {
  API_VERSION,
  FIELD_MANAGERS,
  LABELS,
  PROMETHEUS_CLUSTER,
  PROMETHEUS_CLUSTER_SHARD,
  shardObjectName,
  type PrometheusCluster,
  type PrometheusClusterShard,
  type PrometheusClusterShardStatus,
} from '@promfleet/api';
import { semanticEqual, type Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { objectKey, type ObjectKey, type ResourceClient, type Writable } from '@promfleet/kube/client';
import pLimit from 'p-limit';

import { OwnWrites } from './own-writes.ts';

/** Shard writes in flight across every PrometheusCluster: each is small, and a layout change rewrites them all. */
const SHARD_WRITES_IN_FLIGHT = 4;

export interface ShardWriterOptions {
  readonly applier: Applier;
  readonly resources: ResourceClient<PrometheusClusterShard>;
  /** Indexed by `cluster` (`namespace/name` of the PrometheusCluster). */
  readonly shards: Informer<PrometheusClusterShard>;
}

/** A PrometheusCluster's shard `shard` of `shards`, owned by it (so it goes with it), without its status. */
export function desiredShard(cluster: PrometheusCluster, shard: number, shards: number): Writable<PrometheusClusterShard> {
  const name = cluster.metadata.name;
  return {
    apiVersion: API_VERSION,
    kind: PROMETHEUS_CLUSTER_SHARD.kind,
    metadata: {
      name: shardObjectName(name, shard),
      namespace: cluster.metadata.namespace,
      labels: { [LABELS.prometheusCluster]: name, 'app.kubernetes.io/managed-by': FIELD_MANAGERS.hub },
      ...(cluster.metadata.uid
        ? {
            ownerReferences: [
              { apiVersion: API_VERSION, kind: PROMETHEUS_CLUSTER.kind, name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true },
            ],
          }
        : {}),
    },
    spec: { cluster: name, shard, shards },
  };
}

/** Writes the PrometheusClusterShards of a sharded status: each one whose members changed, and only those. */
export class ShardWriter {
  readonly #options: ShardWriterOptions;
  readonly #own = new OwnWrites<PrometheusClusterShard>();
  readonly #limit = pLimit(SHARD_WRITES_IN_FLIGHT);

  constructor(options: ShardWriterOptions) {
    this.#options = options;
  }

  /** The cluster's shards, each as the hub last wrote it or as the cache holds it, whichever is newer. */
  of(clusterKey: ObjectKey): PrometheusClusterShard[] {
    return this.#options.shards.byIndex('cluster', clusterKey).flatMap((shard) => this.#own.current(objectKey(shard), shard) ?? []);
  }

  /** Makes shard i hold `parts[i]`: created (or moved to this layout) first, then its status written where it differs. */
  async write(cluster: PrometheusCluster, parts: readonly PrometheusClusterShardStatus[]): Promise<void> {
    const { applier, resources, shards } = this.#options;
    await Promise.all(
      parts.map((status, shard) =>
        this.#limit(async () => {
          const desired = desiredShard(cluster, shard, parts.length);
          const key = objectKey(desired);
          const live = this.#own.current(key, shards.get(key));
          if (live?.spec.shards === parts.length && semanticEqual(status, live.status)) return;
          const placed = await applier.apply(resources, desired, live);
          const written = await applier.applyStatus(resources, placed.object, status);
          if (placed.changed || written.changed)
            this.#own.record(key, [live?.metadata.resourceVersion, placed.object.metadata.resourceVersion], written.object);
        }),
      ),
    );
  }

  /** Deletes the cluster's shards outside a layout of `count` shards (every one of them for 1). */
  async prune(cluster: PrometheusCluster, count: number): Promise<void> {
    const stale = this.#options.shards
      .byIndex('cluster', objectKey(cluster))
      .filter((shard) => count <= 1 || shard.spec.shard >= count || shard.spec.shards !== count);
    for (const shard of stale) {
      await this.#options.resources.delete(shard.metadata.name, shard.metadata.namespace);
      this.#own.forget(objectKey(shard));
    }
  }

  forget(clusterKey: ObjectKey): void {
    for (const shard of this.#options.shards.byIndex('cluster', clusterKey)) this.#own.forget(objectKey(shard));
  }
}
