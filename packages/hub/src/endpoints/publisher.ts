import type { PrometheusCluster } from '@promfleet/api';
import { errorMessage, type Informer, type Logger } from '@promfleet/kube';

import type { EndpointSet, EndpointWriter } from './store.ts';

/**
 * Keeps the endpoint store equal to the `status.endpoints` of the PrometheusClusters in the
 * cache. Level-triggered from the informer, so it needs no part in reconciling: with the memory
 * store every hub replica runs one; with Redis only the leader does, and republishes everything
 * when Redis comes back.
 */
export class EndpointPublisher {
  readonly #clusters: Informer<PrometheusCluster>;
  readonly #store: EndpointWriter;
  readonly #logger: Logger;
  readonly #mayWrite: () => boolean;
  #active = false;
  #dirty = false;

  /**
   * `mayWrite` fences a shared store: a leader that was paused past its Lease still runs until it
   * notices, and must not publish the stale states its watches replay meanwhile.
   */
  constructor(clusters: Informer<PrometheusCluster>, store: EndpointWriter, logger: Logger, mayWrite: () => boolean = () => true) {
    this.#clusters = clusters;
    this.#mayWrite = mayWrite;
    this.#store = store;
    this.#logger = logger.child({ component: 'endpoint-publisher' });
    clusters.addHandler({
      onAdd: (cluster) => {
        this.#put(cluster);
      },
      onUpdate: (_previous, cluster) => {
        this.#put(cluster);
      },
      onDelete: (cluster) => {
        this.#run(() => this.#store.remove(cluster.metadata.namespace ?? '', cluster.metadata.name));
      },
    });
  }

  /** Publishes everything now, and every change from here on. */
  async start(): Promise<void> {
    this.#active = true;
    await this.republish();
  }

  stop(): void {
    this.#active = false;
  }

  /** Replaces the store's content with the cache's: after Redis lost data, or on becoming leader. */
  async republish(): Promise<void> {
    if (!this.#active || !this.#mayWrite()) return;
    try {
      await this.#store.replaceAll(this.#clusters.list().map(endpointSet));
      this.#dirty = false;
    } catch (error) {
      this.#dirty = true;
      this.#logger.warn({ err: errorMessage(error) }, 'could not republish endpoints; retrying');
      setTimeout(() => void this.republish(), 1000).unref();
    }
  }

  /** True when a write failed since the last full republish. */
  get dirty(): boolean {
    return this.#dirty;
  }

  #put(cluster: PrometheusCluster): void {
    this.#run(() => this.#store.put(endpointSet(cluster)));
  }

  #run(write: () => Promise<void>): void {
    if (!this.#active || !this.#mayWrite()) return;
    write().catch((error: unknown) => {
      this.#dirty = true;
      this.#logger.debug({ err: errorMessage(error) }, 'endpoint store write failed');
    });
  }
}

export function endpointSet(cluster: PrometheusCluster): EndpointSet {
  return { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name, endpoints: cluster.status?.endpoints ?? [] };
}

