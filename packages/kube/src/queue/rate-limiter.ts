import { type Clock, realClock } from './clock.ts';

/** Decides how long a failed key waits before it is retried (client-go's RateLimiter). */
export interface RateLimiter<K> {
  /** The delay in ms before `key` may be retried; each call counts as one more retry of it. */
  when(key: K): number;
  /** Stops tracking `key`, typically after it was processed successfully. */
  forget(key: K): void;
  /** How many times `key` has been retried since it was last forgotten. */
  numRequeues(key: K): number;
}

// 2 ** 1024 is Infinity and 0 × Infinity is NaN: a finite power keeps a zero base at zero, and
// any positive base times 2 ** 1023 is already far beyond every sensible cap.
const MAX_EXPONENT = 1023;

/** Per key, waits baseMs × 2^retries, capped at maxMs. */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<K, number>();

  constructor(baseMs = 5, maxMs = 1_000_000) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return Math.min(this.#baseMs * 2 ** Math.min(failures, MAX_EXPONENT), this.#maxMs);
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * One token bucket shared by all keys, with the reservation semantics of golang.org/x/time/rate's
 * Reserve().Delay(): every call takes a token, going into debt when the bucket is empty, and
 * returns how long until that token exists.
 */
export class TokenBucketRateLimiter implements RateLimiter<unknown> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps = 10, burst = 100, clock: Clock = realClock) {
    if (!(Number.isFinite(qps) && qps > 0)) throw new RangeError(`qps must be a positive number, got ${qps}`);
    if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.#qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens < 0 ? (-this.#tokens * 1000) / this.#qps : 0;
  }

  /** Takes a token if there is a whole one, never going into debt: client-go's TryAccept. */
  tryAccept(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (Math.max(0, now - this.#last) * this.#qps) / 1000);
    this.#last = now;
  }

  forget(): void {
    // All keys share one bucket: there is nothing per key to forget.
  }

  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters; each of them sees every retry. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(key: K): number {
    return Math.max(0, ...this.#limiters.map((limiter) => limiter.when(key)));
  }

  forget(key: K): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  numRequeues(key: K): number {
    return Math.max(0, ...this.#limiters.map((limiter) => limiter.numRequeues(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: per-key 5 ms doubling up to 1000 s, and 10 qps overall with bursts of 100. */
export function defaultControllerRateLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1_000_000), new TokenBucketRateLimiter(10, 100, clock));
}
