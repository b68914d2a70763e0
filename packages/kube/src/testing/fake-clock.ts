import type { Clock, ClockTimer } from '../queue/clock.ts';

interface ScheduledTimer {
  readonly at: number;
  readonly fn: () => void;
}

/** A clock that moves only when told to, for deterministic tests of time-dependent code. */
export class FakeClock implements Clock {
  #now: number;
  // A Map iterates in insertion order, which breaks ties between timers due at the same time.
  readonly #timers = new Map<ClockTimer, ScheduledTimer>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = {};
    this.#timers.set(timer, { at: this.#now + Math.max(0, ms), fn });
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers.delete(timer);
  }

  /** How many timers are scheduled and neither fired nor cleared. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer comes due, if any: lets a test step from timer to timer, settling promises in between. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.#timers.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  /**
   * Moves time forward by `ms`, firing every timer that comes due in time order (ties in the order
   * they were scheduled), with now() at the timer's due time while it runs. Timers that callbacks
   * schedule along the way fire too if they come due before the end.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock cannot go back in time (advance(${ms}))`);
    const end = this.#now + ms;
    for (let next = this.#nextDue(end); next; next = this.#nextDue(end)) {
      const [timer, { at, fn }] = next;
      this.#timers.delete(timer);
      this.#now = at;
      fn();
    }
    this.#now = end;
  }

  #nextDue(end: number): [ClockTimer, ScheduledTimer] | undefined {
    let next: [ClockTimer, ScheduledTimer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
    }
    return next;
  }
}
