import { Informer, type InformerOptions } from '@promfleet/kube/cache';
import type { KubeObject, ResourceClient } from '@promfleet/kube/client';

interface Waiter<T extends KubeObject> {
  readonly done: (cache: Informer<T>) => boolean;
  readonly resolve: (at: number) => void;
}

/**
 * A watch cache the benchmark reads its clock from: `until` resolves with the moment
 * (performance.now()) the watch delivered the event after which a condition holds, which is
 * when any client of that API server could have known it. No polling, so no poll interval
 * is added to any figure.
 */
export class Observer<T extends KubeObject> {
  readonly cache: Informer<T>;
  readonly #waiters = new Set<Waiter<T>>();

  constructor(resources: ResourceClient<T>, options: InformerOptions<T> = {}) {
    this.cache = new Informer(resources, options);
    const check = (): void => {
      this.#check();
    };
    this.cache.addHandler({ onAdd: check, onUpdate: check, onDelete: check });
  }

  async start(): Promise<this> {
    this.cache.start();
    await this.cache.waitForSync();
    return this;
  }

  /** Waiters are checked on `other`'s events too: for conditions that read both caches. */
  checkOn<U extends KubeObject>(other: Informer<U>): this {
    const check = (): void => {
      this.#check();
    };
    other.addHandler({ onAdd: check, onUpdate: check, onDelete: check });
    return this;
  }

  /** When `done` first holds (now, if it already does); rejects after `timeoutMs`, naming `what`. */
  until(what: string, done: (cache: Informer<T>) => boolean, timeoutMs: number): Promise<number> {
    if (done(this.cache)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        done,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }

  #check(): void {
    const at = performance.now();
    for (const waiter of this.#waiters) {
      if (!waiter.done(this.cache)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(at);
    }
  }
}

/** Observers of one resource on several API servers, waited on as one. */
export class ObserverSet<T extends KubeObject> {
  readonly observers: readonly Observer<T>[];

  constructor(observers: readonly Observer<T>[]) {
    this.observers = observers;
  }

  async start(): Promise<this> {
    await Promise.all(this.observers.map((observer) => observer.start()));
    return this;
  }

  list(): T[] {
    return this.observers.flatMap((observer) => observer.cache.list());
  }

  /** When `done` holds on every server (given its index): the latest of the per-server moments. */
  async until(what: string, done: (cache: Informer<T>, index: number) => boolean, timeoutMs: number): Promise<number> {
    const moments = await Promise.all(this.observers.map((observer, index) => observer.until(what, (cache) => done(cache, index), timeoutMs)));
    return Math.max(...moments);
  }

  async stop(): Promise<void> {
    await Promise.all(this.observers.map((observer) => observer.stop()));
  }
}
