import { createHash } from 'node:crypto';

import type { DNSRecord } from '@promfleet/api';
import { canonicalJSON } from '@promfleet/kube/apply';

import { setKey, type EndpointChange, type EndpointSet, type EndpointSnapshot, type StoreEvent } from './store.ts';

const HISTORY = 1024;
const DIGEST_BYTES = 32;

/** An update as the writer orders it: `seq` is the store's own counter (Redis's, or the memory store's). */
export interface EndpointUpdate {
  readonly seq: number;
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[] | null;
}

/**
 * The revision of a content: a digest over each set's digest (of its key and canonical records),
 * in key order — the same on every replica that holds the same records, whatever order or path
 * they came by. A change re-digests one set and hashes 32 bytes per set, not every record again.
 */
export class ContentDigest {
  readonly #digests = new Map<string, Buffer>();
  /** Every digest in key order, one after the other, and where each key's is: rebuilt when a key comes or goes. */
  #flat: { readonly bytes: Buffer; readonly at: ReadonlyMap<string, number> } | undefined;

  set(key: string, encoded: string): void {
    const digest = createHash('sha256').update(`${key}\n${encoded}`).digest();
    this.#digests.set(key, digest);
    const at = this.#flat?.at.get(key);
    if (this.#flat && at !== undefined) digest.copy(this.#flat.bytes, at);
    else this.#flat = undefined;
  }

  delete(key: string): void {
    if (this.#digests.delete(key)) this.#flat = undefined;
  }

  revision(): string {
    if (!this.#flat) {
      const keys = [...this.#digests.keys()].sort();
      const bytes = Buffer.concat(keys.map((key) => this.#digests.get(key) ?? Buffer.alloc(DIGEST_BYTES)));
      this.#flat = { bytes, at: new Map(keys.map((key, i) => [key, i * DIGEST_BYTES])) };
    }
    return createHash('sha256').update(this.#flat.bytes).digest('hex').slice(0, 32);
  }
}

/**
 * The reader's local copy of the endpoint records: the current sets, their revision, the recent
 * changes (so a watcher that reconnects with Last-Event-ID misses nothing), and listeners.
 * Both store implementations keep one; the Redis store fills it from Redis.
 *
 * Two counters: `seq` orders the writes of one store (Redis's revision counter: a gap means a
 * message was missed), and is never served; `revision` names the content, and is what clients
 * see. A watcher resuming from a revision gets the changes after the last time this view held
 * that very content — correct whichever replica it came from, since the same content is the same
 * starting point — or, when this view never held it recently, a snapshot.
 */
export class LocalView {
  #sets = new Map<string, EndpointSet>();
  /** Canonical JSON of each set's records: what the revision digests, and what `put` compares. */
  #encoded = new Map<string, string>();
  #digest = new ContentDigest();
  #seq = 0;
  #revision = this.#digest.revision();
  /** Each change with the revision it led to; `#base` is the revision before the first one. */
  #history: EndpointChange[] = [];
  #base = this.#revision;
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  /** Built once per change: every API request reads it, and its identity keys the serialized body. */
  #snapshot: EndpointSnapshot | undefined;

  get seq(): number {
    return this.#seq;
  }

  get revision(): string {
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

  /** Applies `set` as the next write of this view's own store, unless it is what is held (a no-op write makes no change). */
  put(set: EndpointSet): boolean {
    const encoded = canonicalJSON(set.endpoints);
    if (this.#encoded.get(setKey(set.namespace, set.name)) === encoded) return false;
    return this.apply({ ...set, seq: this.#seq + 1 }, encoded);
  }

  has(namespace: string, name: string): boolean {
    return this.#sets.has(setKey(namespace, name));
  }

  /** Applies an update in its order and tells the listeners; older or repeated ones are ignored. */
  apply(update: EndpointUpdate, encoded = update.endpoints === null ? '' : canonicalJSON(update.endpoints)): boolean {
    if (update.seq <= this.#seq) return false;
    const key = setKey(update.namespace, update.name);
    if (update.endpoints === null) {
      this.#sets.delete(key);
      this.#encoded.delete(key);
      this.#digest.delete(key);
    } else {
      this.#sets.set(key, { namespace: update.namespace, name: update.name, endpoints: update.endpoints });
      this.#encoded.set(key, encoded);
      this.#digest.set(key, encoded);
    }
    this.#seq = update.seq;
    this.#revision = this.#digest.revision();
    this.#snapshot = undefined;
    const change: EndpointChange = { revision: this.#revision, namespace: update.namespace, name: update.name, endpoints: update.endpoints };
    this.#history.push(change);
    if (this.#history.length > HISTORY) this.#base = this.#history.splice(0, this.#history.length - HISTORY).at(-1)?.revision ?? this.#base;
    this.#emit({ type: 'change', change });
    return true;
  }

  /**
   * Replaces everything at `seq`. Watchers start over from the snapshot only when the content
   * differs: the same records under a new sequence (Redis republished them) change nothing served.
   */
  reset(seq: number, items: readonly EndpointSet[]): void {
    const encoded = new Map(items.map((set) => [setKey(set.namespace, set.name), canonicalJSON(set.endpoints)]));
    const digest = new ContentDigest();
    for (const [key, json] of encoded) digest.set(key, json);
    this.#seq = seq;
    const revision = digest.revision();
    if (revision === this.#revision) return;
    this.#sets = new Map(items.map((set) => [setKey(set.namespace, set.name), set]));
    this.#encoded = encoded;
    this.#digest = digest;
    this.#revision = revision;
    this.#snapshot = undefined;
    this.#history = [];
    this.#base = revision;
    this.#emit({ type: 'snapshot', snapshot: this.snapshot() });
  }

  changesSince(revision: string): EndpointChange[] | undefined {
    if (revision === this.#revision) return [];
    for (let i = this.#history.length - 1; i >= 0; i--) {
      if (this.#history[i]?.revision === revision) return this.#history.slice(i + 1);
    }
    return revision === this.#base ? [...this.#history] : undefined;
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
