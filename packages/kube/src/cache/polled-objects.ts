import { errorMessage } from '../client/errors.ts';
import { splitKey, withoutManagedFields, type KubeObject, type ObjectKey } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';
import { sleep } from '../util/backoff.ts';
import type { InformerHandler, SharedInformer } from './shared-informer.ts';
import { DEFAULT_INDEXERS, IndexedStore, type IndexFunction } from './store.ts';

export interface PolledObjectsOptions<T> {
  /** The objects to keep: read when first loaded, then every `intervalMs`; others are forgotten. */
  readonly keys: () => Iterable<ObjectKey>;
  readonly intervalMs: number;
  /** Applied to every object before it is cached; by default drops managedFields. */
  readonly transform?: (object: T) => T;
  readonly indexers?: Record<string, IndexFunction<T>>;
  readonly logger?: Logger;
  readonly metrics?: KitMetrics;
}

/**
 * A cache of named objects read one at a time with GET, for kinds a controller may read by name
 * but must not list or watch — Secrets: RBAC `get` allows reading the Secrets a controller is
 * told about, where `list` or `watch` would hand it every Secret in scope. Each key is fetched
 * when first loaded and re-read every interval; handlers hear of objects that appear, change
 * (a new resourceVersion) or disappear, so a controller reacts within one interval.
 */
export class PolledObjects<T extends KubeObject> implements SharedInformer<T> {
  readonly resource: ResourceClient<T>;
  readonly #options: PolledObjectsOptions<T>;
  readonly #store: IndexedStore<T>;
  /** Keys read at least once, present or not. */
  readonly #known = new Set<ObjectKey>();
  readonly #inFlight = new Map<ObjectKey, Promise<T | undefined>>();
  readonly #handlers: InformerHandler<T>[] = [];
  readonly #abort = new AbortController();
  readonly #logger: Logger;
  #running: Promise<void> | undefined;

  constructor(resource: ResourceClient<T>, options: PolledObjectsOptions<T>) {
    this.resource = resource;
    this.#options = options;
    this.#store = new IndexedStore<T>({ ...(DEFAULT_INDEXERS as Record<string, IndexFunction<T>>), ...options.indexers });
    this.#logger = (options.logger ?? silentLogger).child({ polled: resource.type.plural, cluster: resource.client.cluster });
  }

  /** Nothing is listed up front: objects are read when asked for. */
  readonly hasSynced = true;

  waitForSync(): Promise<void> {
    return Promise.resolve();
  }

  /** The cached object; undefined when absent or not read yet (see `load`). */
  get(key: ObjectKey): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return this.#store.list();
  }

  byIndex(index: string, value: string): T[] {
    return this.#store.byIndex(index, value);
  }

  /** The object from the cache, reading it first when this key was never read. */
  async load(key: ObjectKey): Promise<T | undefined> {
    if (this.#known.has(key)) return this.#store.get(key);
    return this.#read(key, false);
  }

  /** Reads the object now (e.g. right after creating it) and tells the handlers what changed. */
  refresh(key: ObjectKey): Promise<T | undefined> {
    return this.#read(key, true);
  }

  addHandler(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
    for (const object of this.#store.list()) this.#call(handler, 'onAdd', object);
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    this.#count(-this.#store.size);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    // A function, not a property read: the signal flips while we await.
    const stopped = (): boolean => signal.aborted;
    for (;;) {
      await sleep(this.#options.intervalMs, signal);
      if (stopped()) return;
      const wanted = new Set(this.#options.keys());
      for (const key of this.#known) {
        if (wanted.has(key)) continue;
        this.#known.delete(key);
        if (this.#store.remove(key)) this.#count(-1);
      }
      for (const key of wanted) {
        if (stopped()) return;
        await this.#read(key, true).catch((error: unknown) => {
          this.#logger.warn({ object: key, err: errorMessage(error) }, 'could not read; keeping what was read before');
        });
      }
    }
  }

  /** One GET per key at a time; a caller arriving meanwhile shares it. */
  #read(key: ObjectKey, notify: boolean): Promise<T | undefined> {
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const read = this.#fetch(key, notify).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, read);
    return read;
  }

  async #fetch(key: ObjectKey, notify: boolean): Promise<T | undefined> {
    const { namespace, name } = splitKey(key);
    const raw = await this.resource.get(name, namespace, { signal: this.#abort.signal });
    const object = raw === undefined ? undefined : this.#transform(raw);
    this.#known.add(key);
    const previous = this.#store.get(key);
    if (object === undefined) {
      if (!previous) return undefined;
      this.#store.remove(key);
      this.#count(-1);
      if (notify) this.#dispatch('onDelete', previous);
      return undefined;
    }
    this.#store.upsert(object);
    if (!previous) this.#count(1);
    if (!notify) return object;
    if (!previous) this.#dispatch('onAdd', object);
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.#dispatch('onUpdate', previous, object);
    return object;
  }

  #transform(object: T): T {
    return this.#options.transform ? this.#options.transform(object) : withoutManagedFields(object);
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
      this.#logger.error({ err: errorMessage(error), event }, 'handler threw');
    }
  }

  #count(delta: number): void {
    if (delta !== 0) this.#options.metrics?.informerObjects.inc({ cluster: this.resource.client.cluster, resource: this.resource.type.plural }, delta);
  }
}
