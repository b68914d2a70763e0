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

import { LatestWrites } from './latest-writes.ts';
import { OwnWrites } from './own-writes.ts';

/**
 * Shard writes in flight across every PrometheusCluster: each is small, and a layout change
 * rewrites them all. More is slower, not faster, where the API server is the bottleneck: B7's
 * churn at 1000 with 16 had p99 2.0 s against 0.9 s with 4 (docs/benchmarks.md).
 */
export const SHARD_WRITES_IN_FLIGHT = 4;

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

/** What one shard is to hold, as posted to its write pipeline. */
interface ShardState {
  readonly cluster: PrometheusCluster;
  readonly shard: number;
  readonly shards: number;
  readonly status: PrometheusClusterShardStatus;
}

/**
 * Writes the PrometheusClusterShards of a sharded status: each one whose members changed, and only
 * those, each through a pipeline of its own (`LatestWrites`), so a shard's write never waits for
 * another shard's.
 */
export class ShardWriter {
  readonly #options: ShardWriterOptions;
  readonly #own = new OwnWrites<PrometheusClusterShard>();
  readonly #writes = new LatestWrites<ShardState>(pLimit(SHARD_WRITES_IN_FLIGHT));
  /**
   * Per shard, the status its last write sent and the version that write made. The API server
   * keeps a status as applied, so while a shard is at that version this object stands for its
   * status: it shares the unchanged members' entries with the next status composed, and comparing
   * the two costs what changed rather than the shard's size (sixteen shards compared whole on
   * every member's change were a tenth of the hub's CPU under churn at 1000 members).
   */
  readonly #sent = new Map<ObjectKey, { readonly resourceVersion: string; readonly status: PrometheusClusterShardStatus }>();

  constructor(options: ShardWriterOptions) {
    this.#options = options;
  }

  /**
   * The cluster's shards as the hub last decided them: what is posted and not yet written, else
   * the hub's last write while the cache still shows an older copy, else the cache's.
   */
  of(clusterKey: ObjectKey): PrometheusClusterShard[] {
    const shards = new Map<ObjectKey, PrometheusClusterShard>();
    for (const cached of this.#options.shards.byIndex('cluster', clusterKey)) {
      const key = objectKey(cached);
      const current = this.#own.current(key, cached);
      if (current) shards.set(key, this.#asSent(key, current));
    }
    for (const [key, state] of this.#writes.entries()) {
      if (objectKey(state.cluster) !== clusterKey) continue;
      const base = shards.get(key) ?? (desiredShard(state.cluster, state.shard, state.shards) as PrometheusClusterShard);
      shards.set(key, { ...base, spec: { cluster: state.cluster.metadata.name, shard: state.shard, shards: state.shards }, status: state.status });
    }
    return [...shards.values()];
  }

  /**
   * Makes shard i hold `parts[i]`: created (or moved to this layout) first, then its status
   * written where it differs. Resolves once every part is written; the writes go on whether or
   * not the caller waits.
   */
  write(cluster: PrometheusCluster, parts: readonly PrometheusClusterShardStatus[]): Promise<void> {
    const current = new Map(this.of(objectKey(cluster)).map((shard) => [shard.metadata.name, shard]));
    // What a shard needs of its owner, not the whole fleet's status the caller holds.
    const { metadata, status: _whole, ...rest } = cluster;
    const owner: PrometheusCluster = {
      ...rest,
      metadata: { name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}), ...(metadata.uid ? { uid: metadata.uid } : {}) },
    };
    const posted = parts.flatMap((status, shard) => {
      const known = current.get(shardObjectName(cluster.metadata.name, shard));
      if (known?.spec.shards === parts.length && semanticEqual(status, known.status)) return [];
      const key = objectKey(desiredShard(cluster, shard, parts.length));
      return [this.#writes.post(key, { cluster: owner, shard, shards: parts.length, status }, (state) => this.#send(key, state))];
    });
    return Promise.all(posted).then(() => undefined);
  }

  async #send(key: ObjectKey, { cluster, shard, shards: count, status }: ShardState): Promise<void> {
    const { applier, resources, shards } = this.#options;
    const desired = desiredShard(cluster, shard, count);
    const cached = this.#own.current(key, shards.get(key));
    const live = cached && this.#asSent(key, cached);
    if (live?.spec.shards === count && semanticEqual(status, live.status)) return;
    const placed = await applier.apply(resources, desired, live);
    const written = await applier.applyStatus(resources, placed.object, status);
    if (placed.changed || written.changed) this.#own.record(key, [live?.metadata.resourceVersion, placed.object.metadata.resourceVersion], written.object);
    const version = written.object.metadata.resourceVersion;
    if (version !== undefined) this.#sent.set(key, { resourceVersion: version, status });
  }

  /** `shard` with the status its last write sent, when it is still at the version that write made. */
  #asSent(key: ObjectKey, shard: PrometheusClusterShard): PrometheusClusterShard {
    const sent = this.#sent.get(key);
    return sent && shard.metadata.resourceVersion === sent.resourceVersion ? { ...shard, status: sent.status } : shard;
  }

  /** Deletes the cluster's shards outside a layout of `count` shards (every one of them for 1). */
  async prune(cluster: PrometheusCluster, count: number): Promise<void> {
    const stale = this.#options.shards
      .byIndex('cluster', objectKey(cluster))
      .filter((shard) => count <= 1 || shard.spec.shard >= count || shard.spec.shards !== count);
    for (const shard of stale) {
      // A write of the layout before may still be in flight: deleted first, it would make the shard again.
      await this.#writes.settled(objectKey(shard));
      await this.#options.resources.delete(shard.metadata.name, shard.metadata.namespace);
      this.#own.forget(objectKey(shard));
      this.#sent.delete(objectKey(shard));
    }
  }

  forget(clusterKey: ObjectKey): void {
    for (const shard of this.#options.shards.byIndex('cluster', clusterKey)) this.#own.forget(objectKey(shard));
    // Its shards may have left the cache before it: what was sent to them goes by name.
    for (const key of [...this.#sent.keys()]) if (key.startsWith(`${clusterKey}.`)) this.#sent.delete(key);
    for (const [key, state] of [...this.#writes.entries()]) if (objectKey(state.cluster) === clusterKey) this.#writes.forget(key);
  }
}
