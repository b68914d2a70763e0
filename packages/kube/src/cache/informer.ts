import { errorMessage, isGone } from '../client/errors.ts';
import { objectKey, withoutManagedFields, type KubeObject, type ObjectKey } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';
import { Backoff, sleep } from '../util/backoff.ts';
import type { InformerHandler, SharedInformer } from './shared-informer.ts';
import { DEFAULT_INDEXERS, IndexedStore, type IndexFunction } from './store.ts';

export interface InformerOptions<T> {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Re-deliver every cached object as an update this often (0: never). */
  readonly resyncMs?: number;
  /** Server-side watch timeout; default a random 5–10 min, like client-go's reflector. */
  readonly watchTimeoutSeconds?: number;
  /** Re-list when a watch delivers nothing (not even a bookmark) for this long. */
  readonly silenceMs?: number;
  readonly indexers?: Record<string, IndexFunction<T>>;
  /** Applied to every object before it is cached; by default drops managedFields. */
  readonly transform?: (object: T) => T;
  readonly logger?: Logger;
  readonly metrics?: KitMetrics;
  readonly backoff?: Backoff;
}

type RelistReason = 'initial' | 'gone' | 'silent' | 'error';

/**
 * A list+watch cache of one resource: lists once, then watches from the list's resourceVersion
 * with bookmarks; re-watches from the last seen version when a watch ends; re-lists on 410 Gone
 * or a silent watch; retries any other failure with jittered backoff until stopped. Unlike
 * client-node's informer it never gives up.
 */
export class Informer<T extends KubeObject> implements SharedInformer<T> {
  readonly resource: ResourceClient<T>;
  readonly #options: InformerOptions<T>;
  readonly #store: IndexedStore<T>;
  readonly #handlers: InformerHandler<T>[] = [];
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #running: Promise<void> | undefined;
  #resync: NodeJS.Timeout | undefined;
  #resourceVersion: string | undefined;
  /** Ends the watch in progress, if one is. */
  #watchAbort: AbortController | undefined;
  #rewatching = false;

  constructor(resource: ResourceClient<T>, options: InformerOptions<T> = {}) {
    this.resource = resource;
    this.#options = options;
    this.#store = new IndexedStore<T>({ ...(DEFAULT_INDEXERS as Record<string, IndexFunction<T>>), ...options.indexers });
    this.#logger = (options.logger ?? silentLogger).child({ informer: resource.type.plural, cluster: resource.client.cluster });
    this.#backoff = options.backoff ?? new Backoff();
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache reflects. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  get(key: ObjectKey): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return this.#store.list();
  }

  byIndex(index: string, value: string): T[] {
    return this.#store.byIndex(index, value);
  }

  /** Adds a handler; once synced, it first receives every cached object as an add. */
  addHandler(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
    if (this.#synced) for (const object of this.#store.list()) this.#call(handler, 'onAdd', object);
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#run();
    if (this.#options.resyncMs) {
      this.#resync = setInterval(() => {
        for (const object of this.#store.list()) this.#dispatch('onUpdate', object, object);
      }, this.#options.resyncMs);
      this.#resync.unref();
    }
  }

  /** Resolves once the first list is in the cache; rejects if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        reject(new Error(`${this.resource.client.cluster}: ${this.resource.type.plural} cache did not sync`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /**
   * Ends the watch in progress and watches again at once from the last resourceVersion (one
   * request): for a caller that has reason to doubt a silent watch, such as a server that just
   * came back after not answering, whose old connection may be half-open. No-op while listing.
   */
  rewatch(): void {
    if (!this.#watchAbort) return;
    this.#rewatching = true;
    this.#watchAbort.abort();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#resync);
    await this.#running;
    this.#countObjects(-this.#store.size);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    // A function, not a property read: the signal flips while we await.
    const stopped = (): boolean => signal.aborted;
    let relist: RelistReason | undefined = 'initial';
    while (!stopped()) {
      try {
        if (relist) {
          await this.#list(relist);
          relist = undefined;
        }
        const started = Date.now();
        await this.#watch();
        this.#options.metrics?.informerWatchRestarts.inc(this.#labels('timeout'));
        // A server closing watches at once (shutting down, overloaded) must not make us spin.
        if (Date.now() - started < 1000) await sleep(this.#backoff.next(), signal);
      } catch (error) {
        if (stopped()) break;
        if (this.#rewatching) {
          this.#rewatching = false;
          this.#options.metrics?.informerWatchRestarts.inc(this.#labels('rewatch'));
          continue;
        }
        if (isGone(error)) {
          relist = 'gone';
          this.#logger.debug('resourceVersion too old; re-listing');
          continue;
        }
        const silent = isBodyTimeout(error);
        if (silent) relist = 'silent';
        else if (relist === undefined) this.#options.metrics?.informerWatchRestarts.inc(this.#labels('error'));
        const delay = this.#backoff.next();
        this.#logger.warn({ err: errorMessage(error), retryInMs: delay }, silent ? 'watch went silent; re-listing' : 'list/watch failed; retrying');
        await sleep(delay, signal);
      }
    }
  }

  async #list(reason: RelistReason): Promise<void> {
    const { items, resourceVersion } = await this.resource.listAll({
      namespace: this.#options.namespace,
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
      signal: this.#abort.signal,
    });
    this.#options.metrics?.informerRelists.inc(this.#labels(reason));
    const seen = new Set<ObjectKey>();
    for (const raw of items) {
      const object = this.#transform(raw);
      seen.add(objectKey(object));
      this.#upsert(object);
    }
    for (const key of this.#store.keys()) {
      if (!seen.has(key)) this.#remove(key);
    }
    this.#resourceVersion = resourceVersion;
    this.#backoff.reset();
    this.#markSynced();
  }

  async #watch(): Promise<void> {
    const timeoutSeconds = this.#options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const abort = new AbortController();
    this.#watchAbort = abort;
    this.#rewatching = false;
    try {
      const events = await this.resource.watch({
        namespace: this.#options.namespace,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
        resourceVersion: this.#resourceVersion ?? '',
        timeoutSeconds,
        silenceMs: this.#options.silenceMs ?? (timeoutSeconds + 30) * 1000,
        signal: AbortSignal.any([this.#abort.signal, abort.signal]),
      });
      for await (const event of events) {
        const object = this.#transform(event.object);
        this.#resourceVersion = object.metadata?.resourceVersion ?? this.#resourceVersion;
        if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#upsert(object);
        else if (event.type === 'DELETED') this.#remove(objectKey(object));
        this.#backoff.reset();
      }
    } finally {
      this.#watchAbort = undefined;
    }
  }

  #upsert(object: T): void {
    const previous = this.#store.upsert(object);
    if (!previous) {
      this.#countObjects(1);
      this.#dispatch('onAdd', object);
    } else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.#dispatch('onUpdate', previous, object);
  }

  #remove(key: ObjectKey): void {
    const previous = this.#store.remove(key);
    if (!previous) return;
    this.#countObjects(-1);
    this.#dispatch('onDelete', previous);
  }

  #transform(object: T): T {
    return this.#options.transform ? this.#options.transform(object) : withoutManagedFields(object);
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    for (const waiter of this.#syncWaiters.splice(0)) waiter();
  }

  #dispatch(event: 'onAdd' | 'onDelete', object: T): void;
  #dispatch(event: 'onUpdate', previous: T, object: T): void;
  #dispatch(event: keyof InformerHandler<T>, first: T, second?: T): void {
    for (const handler of this.#handlers) this.#call(handler, event, first, second);
  }

  #call(handler: InformerHandler<T>, event: keyof InformerHandler<T>, first: T, second?: T): void {
    try {
      if (event === 'onUpdate') handler.onUpdate?.(first, second ?? first);
      else handler[event]?.(first);
    } catch (error) {
      this.#logger.error({ err: errorMessage(error), event }, 'informer handler threw');
    }
  }

  #labels(reason: string): { cluster: string; resource: string; reason: string } {
    return { cluster: this.resource.client.cluster, resource: this.resource.type.plural, reason };
  }

  /** Counted up and down rather than set: one resource may have an informer per namespace, all adding to one series. */
  #countObjects(delta: number): void {
    if (delta !== 0) this.#options.metrics?.informerObjects.inc({ cluster: this.resource.client.cluster, resource: this.resource.type.plural }, delta);
  }
}

function isBodyTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'UND_ERR_BODY_TIMEOUT';
}
