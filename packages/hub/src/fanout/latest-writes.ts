import type { LimitFunction } from 'p-limit';

interface Wanted<S> {
  readonly state: S;
  readonly write: (state: S) => Promise<void>;
  /** Everyone who posted this state or one it replaced before it was sent. */
  readonly waiting: readonly PromiseWithResolvers<undefined>[];
}

interface Slot<S> {
  inFlight?: Wanted<S> | undefined;
  next?: Wanted<S> | undefined;
  /** Resolved once nothing is in flight or waiting. */
  readonly idle: PromiseWithResolvers<undefined>;
}

/**
 * One write in flight per object, and only the newest state waiting behind it: a state posted
 * while another is being written replaces whatever was waiting (which is then never sent), and
 * a write to one object never waits for another object's (apart from `limit`, shared by all).
 * This is what lets a member's change write its own shard while other shards' writes are in flight.
 */
export class LatestWrites<S> {
  readonly #slots = new Map<string, Slot<S>>();
  readonly #limit: LimitFunction;

  constructor(limit: LimitFunction) {
    this.#limit = limit;
  }

  /**
   * Writes `state` to `key` once the write in flight (if any) has ended, unless a newer state is
   * posted first. Resolves when `state` or a state that replaced it has been written; rejects
   * with the error of that write.
   */
  post(key: string, state: S, write: (state: S) => Promise<void>): Promise<void> {
    const done = Promise.withResolvers<undefined>();
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { idle: Promise.withResolvers<undefined>() };
      this.#slots.set(key, slot);
    }
    slot.next = { state, write, waiting: [...(slot.next?.waiting ?? []), done] };
    if (!slot.inFlight) void this.#drain(key, slot);
    return done.promise;
  }

  /** The newest state posted for `key` and not yet written (undefined: none). */
  pending(key: string): S | undefined {
    const slot = this.#slots.get(key);
    return (slot?.next ?? slot?.inFlight)?.state;
  }

  /** Every key with a state not yet written, with the newest such state. */
  *entries(): IterableIterator<[string, S]> {
    for (const [key, slot] of this.#slots) {
      const wanted = slot.next ?? slot.inFlight;
      if (wanted) yield [key, wanted.state];
    }
  }

  /** Resolves once `key` has nothing in flight or waiting (whether its writes succeeded or not). */
  settled(key: string): Promise<void> {
    return this.#slots.get(key)?.idle.promise ?? Promise.resolve();
  }

  /** Drops the state waiting for `key` (the write in flight ends as it will); whoever waited for it is told it is done. */
  forget(key: string): void {
    const slot = this.#slots.get(key);
    if (!slot?.next) return;
    for (const done of slot.next.waiting) done.resolve(undefined);
    slot.next = undefined;
  }

  async #drain(key: string, slot: Slot<S>): Promise<void> {
    while (slot.next) {
      const wanted = slot.next;
      slot.next = undefined;
      slot.inFlight = wanted;
      try {
        await this.#limit(() => wanted.write(wanted.state));
        for (const done of wanted.waiting) done.resolve(undefined);
      } catch (error) {
        for (const done of wanted.waiting) done.reject(error);
      }
    }
    slot.inFlight = undefined;
    this.#slots.delete(key);
    slot.idle.resolve(undefined);
  }
}
