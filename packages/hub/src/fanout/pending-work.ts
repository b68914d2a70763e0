import type { ObjectKey } from '@promfleet/kube/client';

/** What changed for a PrometheusCluster since its last reconcile. */
export interface Work {
  /** Anything but a replica's status changed: the fan-out itself must be looked at again. */
  readonly full: boolean;
  /** Members whose replica's status alone changed. */
  readonly members: ReadonlySet<string>;
}

/**
 * The changes waiting for each PrometheusCluster's next reconcile. The work queue holds the key
 * (and never reconciles one key twice at once); this holds why, so a reconcile can do only what
 * the changes need. Taken whole at the start of a reconcile: whatever arrives meanwhile waits for
 * the next one, which the queue has already scheduled.
 */
export class PendingWork {
  readonly #work = new Map<ObjectKey, { full: boolean; members: Set<string> }>();

  full(key: ObjectKey): void {
    this.#entry(key).full = true;
  }

  member(key: ObjectKey, member: string): void {
    this.#entry(key).members.add(member);
  }

  take(key: ObjectKey): Work {
    const work = this.#work.get(key);
    this.#work.delete(key);
    // A reconcile nobody asked for (a requeue, a retry, a resync) looks at everything.
    return work ?? { full: true, members: new Set() };
  }

  #entry(key: ObjectKey): { full: boolean; members: Set<string> } {
    let work = this.#work.get(key);
    if (!work) {
      work = { full: false, members: new Set() };
      this.#work.set(key, work);
    }
    return work;
  }
}
