import { objectKey, type KubeObject, type ObjectKey } from '../client/objects.ts';

export type IndexFunction<T> = (object: T) => readonly string[];

/** Indexes every informer has: by namespace, by `label=value`, by owner uid. */
export const DEFAULT_INDEXERS = {
  namespace: (object: KubeObject) => (object.metadata?.namespace ? [object.metadata.namespace] : []),
  label: (object: KubeObject) => Object.entries(object.metadata?.labels ?? {}).map(([key, value]) => `${key}=${value}`),
  owner: (object: KubeObject) => (object.metadata?.ownerReferences ?? []).map((owner) => owner.uid),
} as const satisfies Record<string, IndexFunction<KubeObject>>;

/** A keyed object cache with secondary indexes, as client-go's thread-safe store + indexer. */
export class IndexedStore<T extends KubeObject> {
  readonly #objects = new Map<ObjectKey, T>();
  readonly #indexers: ReadonlyMap<string, IndexFunction<T>>;
  readonly #indexes = new Map<string, Map<string, Set<ObjectKey>>>();

  constructor(indexers: Record<string, IndexFunction<T>>) {
    this.#indexers = new Map(Object.entries(indexers));
    for (const name of this.#indexers.keys()) this.#indexes.set(name, new Map());
  }

  get size(): number {
    return this.#objects.size;
  }

  get(key: ObjectKey): T | undefined {
    return this.#objects.get(key);
  }

  keys(): ObjectKey[] {
    return [...this.#objects.keys()];
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.#index(index).get(value);
    if (!keys) return [];
    return [...keys].map((key) => this.#objects.get(key)).filter((object): object is T => object !== undefined);
  }

  /** Stores the object and returns the one it replaced. */
  upsert(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    if (previous) this.#unindex(key, previous);
    this.#objects.set(key, object);
    this.#reindex(key, object);
    return previous;
  }

  remove(key: ObjectKey): T | undefined {
    const previous = this.#objects.get(key);
    if (!previous) return undefined;
    this.#unindex(key, previous);
    this.#objects.delete(key);
    return previous;
  }

  #index(name: string): Map<string, Set<ObjectKey>> {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`no index named ${JSON.stringify(name)} (have ${[...this.#indexes.keys()].join(', ')})`);
    return index;
  }

  #reindex(key: ObjectKey, object: T): void {
    for (const [name, indexer] of this.#indexers) {
      const index = this.#index(name);
      for (const value of indexer(object)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  #unindex(key: ObjectKey, object: T): void {
    for (const [name, indexer] of this.#indexers) {
      const index = this.#index(name);
      for (const value of indexer(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
