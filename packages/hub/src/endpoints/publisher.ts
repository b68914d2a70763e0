import type { PrometheusCluster } from '@promfleet/api';
import { errorMessage, objectKey } from '@promfleet/kube/client';
import type { Logger } from '@promfleet/kube/observability';

import type { ShardedClusters } from './sharded-clusters.ts';
import type { EndpointSet, EndpointWriter } from './store.ts';

const RETRY_MS = 1_000;
/**
 * A sharded cluster's change reaches the publisher as several events (its shards', its summary's),
 * each of which would publish (and encode) the whole set: those within this long go out as one.
 */
const SHARDED_COALESCE_MS = 25;

/**
 * Keeps the endpoint store equal to the `status.endpoints` of the PrometheusClusters in the
 * cache, their shards' records included. Level-triggered from the informers, so it needs no part
 * in reconciling: with the memory store every hub replica runs one; with Redis only the leader
 * does, and republishes everything when Redis comes back.
 */
export class EndpointPublisher {
  readonly #clusters: ShardedClusters;
  readonly #store: EndpointWriter;
  readonly #logger: Logger;
  readonly #mayWrite: () => boolean;
  #active = false;
  #dirty = false;
  #retry: NodeJS.Timeout | undefined;
  /** Changes not written because a republish was due; one arriving mid-republish means another. */
  #held = 0;
  /** Sharded clusters (by key) due to be published once the events of one write are in. */
  readonly #due = new Set<string>();
  #flush: NodeJS.Timeout | undefined;

  /**
   * `mayWrite` fences a shared store: a leader that was paused past its Lease still runs until it
   * notices, and must not publish the stale states its watches replay meanwhile.
   */
  constructor(clusters: ShardedClusters, store: EndpointWriter, logger: Logger, mayWrite: () => boolean = () => true) {
    this.#clusters = clusters;
    this.#mayWrite = mayWrite;
    this.#store = store;
    this.#logger = logger.child({ component: 'endpoint-publisher' });
    clusters.clusters.addHandler({
      onAdd: (cluster) => {
        this.#changed(cluster);
      },
      onUpdate: (_previous, cluster) => {
        this.#changed(cluster);
      },
      onDelete: (cluster) => {
        this.#due.delete(objectKey(cluster));
        this.#run(() => this.#store.remove(cluster.metadata.namespace ?? '', cluster.metadata.name));
      },
    });
    const shardChanged = (shard: Parameters<ShardedClusters['ownerOf']>[0]) => {
      const owner = clusters.ownerOf(shard);
      if (owner) this.#changed(owner);
    };
    clusters.shards.addHandler({
      onAdd: shardChanged,
      onUpdate: (_previous, shard) => {
        shardChanged(shard);
      },
      onDelete: shardChanged,
    });
  }

  /** Publishes everything now, and every change from here on. */
  async start(): Promise<void> {
    this.#active = true;
    await this.republish();
  }

  stop(): void {
    this.#active = false;
    clearTimeout(this.#flush);
    this.#flush = undefined;
    this.#due.clear();
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** Replaces the store's content with the cache's: after Redis lost data, or on becoming leader. */
  async republish(): Promise<void> {
    if (!this.#active || !this.#mayWrite()) return;
    const held = this.#held;
    try {
      await this.#store.replaceAll(this.#clusters.clusters.list().map((cluster) => this.#endpointSet(cluster)));
      this.#dirty = false;
      // A change held back while this was in flight may not be in what it sent.
      if (this.#held !== held) await this.republish();
    } catch (error) {
      this.#failed(error, 'could not republish endpoints; retrying');
    }
  }

  /** The store came back and may be empty: hold single changes until everything is republished. */
  async resync(): Promise<void> {
    this.#dirty = true;
    await this.republish();
  }

  /** True when a write failed since the last full republish. */
  get dirty(): boolean {
    return this.#dirty;
  }

  #changed(cluster: PrometheusCluster): void {
    if (cluster.status?.shards === undefined) {
      this.#run(() => this.#store.put(this.#endpointSet(cluster)));
      return;
    }
    this.#due.add(objectKey(cluster));
    this.#flush ??= setTimeout(() => {
      this.#flush = undefined;
      for (const key of this.#due) {
        const due = this.#clusters.clusters.get(key);
        if (due) this.#run(() => this.#store.put(this.#endpointSet(due)));
      }
      this.#due.clear();
    }, SHARDED_COALESCE_MS);
  }

  /** A cluster's endpoint set, its shards' records merged in. */
  #endpointSet(cluster: PrometheusCluster): EndpointSet {
    return {
      namespace: cluster.metadata.namespace ?? '',
      name: cluster.metadata.name,
      endpoints: this.#clusters.records(cluster),
      ...(cluster.spec.storeAPI ? { stores: cluster.status?.storeEndpoints ?? [] } : {}),
    };
  }

  #run(write: () => Promise<void>): void {
    if (!this.#active || !this.#mayWrite()) return;
    // While the store may have lost everything (a failed write, Redis back empty) single changes
    // wait for the full republish, so readers never see a store holding only the latest change.
    if (this.#dirty) {
      this.#held++;
      return;
    }
    write().catch((error: unknown) => {
      this.#failed(error, 'endpoint store write failed; republishing everything once it works again');
    });
  }

  /** Marks the store dirty and keeps one republish retry pending, however many writes fail. */
  #failed(error: unknown, message: string): void {
    if (!this.#dirty) this.#logger.warn({ err: errorMessage(error) }, message);
    this.#dirty = true;
    this.#retry ??= setTimeout(() => {
      this.#retry = undefined;
      void this.republish();
    }, RETRY_MS).unref();
  }
}
