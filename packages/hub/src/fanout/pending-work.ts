import type { ObjectKey } from '@promfleet/kube/client';

/** What changed for a PrometheusCluster since its last reconcile. */
export interface Work {
  /** Anything but a replica's status changed, or a deadline came: the fan-out itself must be looked at again. */
  readonly full: boolean;
  /** Members whose replica's status alone changed. */
  readonly members: ReadonlySet<string>;
}

/**
 * The changes waiting for each PrometheusCluster's next reconcile. The work queue holds the key
 * (and never reconciles one key twice at once); this holds why, so a reconcile can do only what
 * the changes need. Taken whole at the start of a reconcile: whatever arrives meanwhile waits for
 * the next one, which the queue has already scheduled.
 *
 * A reconcile finds nothing here when the queue woke it for changes an earlier reconcile already
 * took in (a batch window's timer that fired late, after a reconcile the next change started):
 * that is no work at all, not a reason to look at every member. A full pass is asked for by name:
 * a change that calls for one (`full`), or a deadline the last pass found (`fullAt`: a replica
 * turning NoOperator, a rollout's progress deadline, a retry).
 */
export class PendingWork {
  readonly #work = new Map<ObjectKey, { full: boolean; members: Set<string> }>();
  /** When a full pass is due even if nothing changes (epoch ms). */
  readonly #fullAt = new Map<ObjectKey, number>();

  full(key: ObjectKey): void {
    this.#entry(key).full = true;
  }

  member(key: ObjectKey, member: string): void {
    this.#entry(key).members.add(member);
  }

  /** A full pass is due at `at` (epoch ms) whatever changes by then; the earliest such time stands. */
  fullAt(key: ObjectKey, at: number): void {
    const known = this.#fullAt.get(key);
    if (known === undefined || at < known) this.#fullAt.set(key, at);
  }

  /** How long until the next full pass due by time (undefined: none is). */
  dueIn(key: ObjectKey, now: number): number | undefined {
    const at = this.#fullAt.get(key);
    return at === undefined ? undefined : Math.max(0, at - now);
  }

  /** The work for a reconcile starting at `now`; a full pass takes the deadlines with it (it finds its own again). */
  take(key: ObjectKey, now: number): Work {
    const work = this.#work.get(key);
    this.#work.delete(key);
    const at = this.#fullAt.get(key);
    const full = (work?.full ?? false) || (at !== undefined && at <= now);
    if (full) this.#fullAt.delete(key);
    return { full, members: work?.members ?? new Set() };
  }

  forget(key: ObjectKey): void {
    this.#work.delete(key);
    this.#fullAt.delete(key);
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
