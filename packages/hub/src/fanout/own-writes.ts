import { withoutManagedFields, type KubeObject, type ObjectKey } from '@promfleet/kube/client';

/** Every version before the newest write is stale; writes can follow each other faster than the watch delivers them. */
const MAX_STALE = 32;

/**
 * Remembers what the hub last wrote of each object until the cache has it: a reconcile that runs
 * before the watch delivers the hub's own write starts from that write, not from the older cached
 * copy (which would make it write the same thing again, or build on what it has already replaced).
 */
export class OwnWrites<T extends KubeObject> {
  /** Per object: the last write, and the resourceVersions known to come before it. */
  readonly #written = new Map<ObjectKey, { readonly before: ReadonlySet<string>; readonly object: T }>();

  /** The freshest copy of the object: the cache's, or the last write while the cache still shows what came before it. */
  current(key: ObjectKey, cached: T | undefined): T | undefined {
    const written = this.#written.get(key);
    if (!cached || !written) return cached;
    if (written.before.has(cached.metadata?.resourceVersion ?? '')) return written.object;
    this.#written.delete(key);
    return cached;
  }

  /** `object` was written over the versions `before` (the one it replaced, and any the same write passed through). */
  record(key: ObjectKey, before: readonly (string | undefined)[], object: T): void {
    const known = [...(this.#written.get(key)?.before ?? []), ...before.filter((version) => version !== undefined)];
    this.#written.set(key, { before: new Set(known.slice(-MAX_STALE)), object: withoutManagedFields(object) });
  }

  forget(key: ObjectKey): void {
    this.#written.delete(key);
  }
}
