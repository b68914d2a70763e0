import { type Clock, type ClockTimer, realClock } from './clock.ts';
import { Deadlines } from './deadlines.ts';
import { Fifo } from './fifo.ts';
import { type RateLimiter, defaultControllerRateLimiter } from './rate-limiter.ts';

/** Seconds that the keys being processed have been worked on so far (client-go's figures). */
export interface ProcessingSeconds {
  /** Summed over every processing key: grows by the number of stuck workers per second. */
  readonly unfinished: number;
  /** Of the key processed longest. */
  readonly longest: number;
}

/** What a work queue reports, kept apart from any metrics registry (see workQueueMetrics). */
export interface WorkQueueMetrics {
  /** Keys that need processing: waiting in the queue, or re-added while being processed. */
  setDepth(n: number): void;
  /** A key that was not already waiting was added. */
  added(): void;
  /** addAfter or addRateLimited was called. */
  retried(): void;
  /** Seconds from a key's add to the get that handed it out. */
  observeQueueDuration(seconds: number): void;
  /** Seconds from a get to the matching done. */
  observeWorkDuration(seconds: number): void;
  /**
   * Called once by the queue with a reader of its work in progress, which the work duration only
   * sees at done(): read when scraped, it shows a worker that never finishes.
   */
  trackProcessing(read: () => ProcessingSeconds): void;
}

const noMetrics: WorkQueueMetrics = {
  setDepth: () => undefined,
  added: () => undefined,
  retried: () => undefined,
  observeQueueDuration: () => undefined,
  observeWorkDuration: () => undefined,
  trackProcessing: () => undefined,
};

export interface WorkQueueOptions<K> {
  /** Defaults to realClock. */
  clock?: Clock;
  /** Used by addRateLimited, forget and numRequeues; defaults to defaultControllerRateLimiter. */
  rateLimiter?: RateLimiter<K>;
  metrics?: WorkQueueMetrics;
}

/**
 * client-go's rate-limited work queue. A key waiting in the queue is held once however often it
 * is added (a waiting worker takes it after the current turn, so every add of one event counts
 * once); a key is never handed to two workers at once; a key added while it is being processed
 * is handed out again after done(). Keys are compared like Map keys, so use strings such as
 * "namespace/name" rather than objects. A key cannot be undefined: get() resolves that at shutdown.
 */
export class WorkQueue<K extends string | number | object = string> {
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter<K>;
  readonly #metrics: WorkQueueMetrics;
  // Each key appears at most once: a key is queued only when it becomes dirty.
  readonly #queue = new Fifo<K>();
  /** Keys that need processing: every queued key, plus processing keys added again since get. */
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #addedAt = new Map<K, number>();
  readonly #startedAt = new Map<K, number>();
  readonly #delayed = new Deadlines<K>();
  // Pending get() calls; there are some only while the queue is empty, or until the due hand-out.
  readonly #getters: ((key: K | undefined) => void)[] = [];
  #handOutDue = false;
  readonly #drainers: (() => void)[] = [];
  #timer: { readonly handle: ClockTimer; readonly at: number } | undefined;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.#clock = options.clock ?? realClock;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.#clock);
    this.#metrics = options.metrics ?? noMetrics;
    this.#metrics.trackProcessing(() => this.processingSeconds());
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys waiting to be handed out (not counting processing keys that were added again). */
  len(): number {
    return this.#queue.size;
  }

  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#addedAt.set(key, this.#clock.now());
    this.#metrics.added();
    this.#metrics.setDepth(this.#dirty.size);
    // A processing key waits for done(), which queues it again.
    if (!this.#processing.has(key)) this.#enqueue(key);
  }

  /**
   * The next key, marked as processing until done(key); waits while the queue is empty, serving
   * concurrent callers in order. Resolves undefined once the queue is shut down, or, after
   * shutDownWithDrain, once the keys queued before it have been handed out.
   */
  get(): Promise<K | undefined> {
    // Workers already waiting for a due hand-out come first.
    if (this.#queue.size > 0 && this.#getters.length === 0) return Promise.resolve(this.#handOut());
    if (this.#shuttingDown && this.#queue.size === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    const startedAt = this.#startedAt.get(key);
    this.#startedAt.delete(key);
    if (startedAt !== undefined) this.#metrics.observeWorkDuration((this.#clock.now() - startedAt) / 1000);
    if (this.#dirty.has(key)) this.#enqueue(key);
    else this.#settleDrain();
  }

  processingSeconds(): ProcessingSeconds {
    const now = this.#clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const startedAt of this.#startedAt.values()) {
      const seconds = (now - startedAt) / 1000;
      unfinished += seconds;
      longest = Math.max(longest, seconds);
    }
    return { unfinished, longest };
  }

  /** Adds `key` after `ms`; a key already waiting for a delayed add keeps the earlier time. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    this.#metrics.retried();
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.#delayed.schedule(key, this.#clock.now() + ms);
    this.#armTimer();
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  forget(key: K): void {
    this.#rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#rateLimiter.numRequeues(key);
  }

  /**
   * Stops at once: ignores further adds, drops queued and delayed keys, and makes get() resolve
   * undefined. Unlike client-go, whose Get still returns what was queued, no key is handed out
   * after this. Keys being processed may still be marked done().
   */
  shutDown(): void {
    this.#stopAccepting();
    this.#queue.clear();
    this.#dirty.clear();
    this.#addedAt.clear();
    this.#metrics.setDepth(0);
    this.#settleDrain();
  }

  /**
   * Stops accepting keys and drops delayed ones, but, like client-go, still hands out every key
   * already queued (and processing keys added again, after their done) until the queue is empty.
   * Resolves once nothing is queued or processing, so it needs workers still calling get(). A
   * later shutDown() drops what is still queued; this then resolves when the processing keys are
   * done.
   */
  shutDownWithDrain(): Promise<void> {
    this.#stopAccepting();
    const drained = new Promise<void>((resolve) => this.#drainers.push(resolve));
    this.#settleDrain();
    return drained;
  }

  #stopAccepting(): void {
    this.#shuttingDown = true;
    this.#delayed.clear();
    this.#armTimer();
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
  }

  #enqueue(key: K): void {
    this.#queue.push(key);
    if (this.#getters.length === 0 || this.#handOutDue) return;
    // A waiting worker takes the key once this turn's adds are done, as client-go's worker wakes
    // after Add returns: a key that several handlers of one event add is handed out once, not
    // handed out by the first add and marked dirty by the next (one more reconcile for nothing).
    this.#handOutDue = true;
    queueMicrotask(() => {
      this.#handOutDue = false;
      while (this.#queue.size > 0 && this.#getters.length > 0) this.#getters.shift()?.(this.#handOut());
      // Draining, and every key handed out: whoever still waits is done, as after any get() then.
      if (this.#shuttingDown && this.#queue.size === 0) for (const resolve of this.#getters.splice(0)) resolve(undefined);
    });
  }

  /** Moves the first queued key to processing; only called when the queue is not empty. */
  #handOut(): K {
    const key = this.#queue.shift();
    if (key === undefined) throw new Error('work queue: handOut on an empty queue');
    const now = this.#clock.now();
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#startedAt.set(key, now);
    const addedAt = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (addedAt !== undefined) this.#metrics.observeQueueDuration((now - addedAt) / 1000);
    this.#metrics.setDepth(this.#dirty.size);
    return key;
  }

  #settleDrain(): void {
    if (this.#queue.size > 0 || this.#processing.size > 0) return;
    for (const resolve of this.#drainers.splice(0)) resolve();
  }

  /** Keeps one timer, for the earliest delayed key. */
  #armTimer(): void {
    const at = this.#delayed.earliest();
    if (at === this.#timer?.at) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
    if (at === undefined) return;
    const handle = this.#clock.setTimeout(() => {
      this.#addReady();
    }, at - this.#clock.now());
    this.#timer = { handle, at };
  }

  #addReady(): void {
    this.#timer = undefined;
    for (const key of this.#delayed.takeReady(this.#clock.now())) this.add(key);
    this.#armTimer();
  }
}
