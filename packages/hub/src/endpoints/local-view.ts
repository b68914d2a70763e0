import { canonicalJSON } from '@promfleet/kube/apply';

import { setKey, type EndpointChange, type EndpointSet, type EndpointSnapshot, type StoreEvent } from './store.ts';

const HISTORY = 1024;

/**
 * The reader's local copy of the endpoint records: the current sets, the revision, the recent
 * changes (so a watcher that reconnects with Last-Event-ID misses nothing), and listeners.
 * Both store implementations keep one; the Redis store fills it from Redis.
 */
export class LocalView {
  #sets = new Map<string, EndpointSet>();
  #revision = 0;
  #history: EndpointChange[] = [];
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  /** Built once per change: every API request reads it, and its identity keys the serialized body. */
  #snapshot: EndpointSnapshot | undefined;

  get revision(): number {
    return this.#revision;
  }

  snapshot(): EndpointSnapshot {
    this.#snapshot ??= {
      revision: this.#revision,
      items: [...this.#sets.values()].sort((a, b) => setKey(a.namespace, a.name).localeCompare(setKey(b.namespace, b.name))),
    };
    return this.#snapshot;
  }

  get(namespace: string, name: string): EndpointSet | undefined {
    return this.#sets.get(setKey(namespace, name));
  }

  /** Whether `set` differs from what is held (a no-op write must not bump the revision). */
  differs(set: EndpointSet): boolean {
    const current = this.#sets.get(setKey(set.namespace, set.name));
    return current === undefined || canonicalJSON(current.endpoints) !== canonicalJSON(set.endpoints);
  }

  has(namespace: string, name: string): boolean {
    return this.#sets.has(setKey(namespace, name));
  }

  /** Applies a change at its revision and tells the listeners; older or repeated ones are ignored. */
  apply(change: EndpointChange): boolean {
    if (change.revision <= this.#revision) return false;
    const key = setKey(change.namespace, change.name);
    if (change.endpoints === null) this.#sets.delete(key);
    else this.#sets.set(key, { namespace: change.namespace, name: change.name, endpoints: change.endpoints });
    this.#revision = change.revision;
    this.#snapshot = undefined;
    this.#history.push(change);
    if (this.#history.length > HISTORY) this.#history.splice(0, this.#history.length - HISTORY);
    this.#emit({ type: 'change', change });
    return true;
  }

  /** Replaces everything; watchers start over from the snapshot. */
  reset(snapshot: EndpointSnapshot): void {
    this.#sets = new Map(snapshot.items.map((set) => [setKey(set.namespace, set.name), set]));
    this.#revision = snapshot.revision;
    this.#snapshot = undefined;
    this.#history = [];
    this.#emit({ type: 'snapshot', snapshot: this.snapshot() });
  }

  changesSince(revision: number): EndpointChange[] | undefined {
    if (revision === this.#revision) return [];
    if (revision > this.#revision) return undefined;
    const first = this.#history[0];
    if (!first || first.revision > revision + 1) return undefined;
    return this.#history.filter((change) => change.revision > revision);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoreEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One broken watcher must not stop the others.
      }
    }
  }
}
