interface Deadline<K> {
  readonly key: K;
  readonly readyAt: number;
}

/** Keys with the time they become ready: each key at most once, keeping its earliest time. */
export class Deadlines<K> {
  readonly #byKey = new Map<K, Deadline<K>>();
  // Latest first, so the next deadline pops off the end; equal times pop in the order scheduled.
  readonly #sorted: Deadline<K>[] = [];

  /** Records that `key` is ready at `readyAt`, unless it is already due at that time or earlier. */
  schedule(key: K, readyAt: number): void {
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      if (existing.readyAt <= readyAt) return;
      this.#sorted.splice(this.#sorted.indexOf(existing), 1);
    }
    const deadline = { key, readyAt };
    this.#byKey.set(key, deadline);
    this.#sorted.splice(this.#insertionIndex(readyAt), 0, deadline);
  }

  /** The earliest ready time, or undefined when no key is waiting. */
  earliest(): number | undefined {
    return this.#sorted.at(-1)?.readyAt;
  }

  /** Removes and returns the keys that are ready at `now`, earliest first. */
  takeReady(now: number): K[] {
    const ready: K[] = [];
    for (let next = this.#sorted.at(-1); next !== undefined && next.readyAt <= now; next = this.#sorted.at(-1)) {
      this.#sorted.pop();
      this.#byKey.delete(next.key);
      ready.push(next.key);
    }
    return ready;
  }

  clear(): void {
    this.#byKey.clear();
    this.#sorted.length = 0;
  }

  /** The first index whose deadline is not later than `readyAt`: before the equal ones, so they pop first. */
  #insertionIndex(readyAt: number): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const deadline = this.#sorted[middle];
      if (deadline !== undefined && deadline.readyAt > readyAt) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
