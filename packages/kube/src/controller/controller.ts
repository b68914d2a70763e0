import { randomUUID } from 'node:crypto';

import type { Cache, SharedInformer } from '../cache/shared-informer.ts';
import { errorMessage, NotLeaderError } from '../client/errors.ts';
import { objectKey, type KubeObject, type ObjectKey } from '../client/objects.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';
import { WorkQueue, workQueueMetrics, type Clock, type RateLimiter } from '../queue/index.ts';
import type { UpdatePredicate } from './predicates.ts';

/** A reconcile that must not be retried: the input is wrong and only a change to it helps. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ReconcileContext {
  readonly key: ObjectKey;
  readonly reconcileID: string;
  readonly logger: Logger;
}

/** Reconcile again after this long even if nothing changes (e.g. to re-check a deadline). */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

export type Reconciler = (context: ReconcileContext) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  readonly name: string;
  readonly reconcile: Reconciler;
  readonly workers?: number;
  readonly logger?: Logger;
  readonly metrics?: KitMetrics;
  readonly rateLimiter?: RateLimiter<ObjectKey>;
  /** For tests: the queue's delays follow this clock. */
  readonly clock?: Clock;
}

export interface WatchOptions<T> {
  /** Which updates enqueue anything (adds and deletes always do); by default every update. */
  readonly updates?: UpdatePredicate<T>;
}

type Result = 'success' | 'requeue' | 'error' | 'terminal';

/**
 * controller-runtime's controller, small: informers feed keys into a rate-limited queue, N
 * workers reconcile them, never two at once for one key. A throw retries with per-key
 * exponential backoff; TerminalError records and stops retrying; nothing a reconcile does can
 * take the process down.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions;
  readonly #logger: Logger;
  readonly #informers: Cache[] = [];
  #workers: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ controller: options.name });
    this.queue = new WorkQueue<ObjectKey>({
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
      ...(options.metrics ? { metrics: workQueueMetrics(options.metrics.registry, options.name) } : {}),
    });
  }

  /** Reconciles the objects of this informer by their own key. */
  watchPrimary<T extends KubeObject>(informer: SharedInformer<T>, filter?: (object: T) => boolean, options?: WatchOptions<T>): this {
    return this.watchMapped(informer, (object) => (filter && !filter(object) ? [] : [objectKey(object)]), options);
  }

  /** Reconciles the controlling owner (of `ownerKind`) of each object of this informer. */
  watchOwned<T extends KubeObject>(informer: SharedInformer<T>, ownerKind: string): this {
    return this.watchMapped(informer, (object) =>
      (object.metadata?.ownerReferences ?? [])
        .filter((owner) => owner.controller === true && owner.kind === ownerKind)
        .map((owner) => (object.metadata?.namespace ? `${object.metadata.namespace}/${owner.name}` : owner.name)),
    );
  }

  /** Reconciles whatever keys `map` returns for each added, changed or deleted object (updates only when `options.updates` lets them through). */
  watchMapped<T extends KubeObject>(informer: SharedInformer<T>, map: (object: T) => readonly ObjectKey[], options?: WatchOptions<T>): this {
    const enqueue = (object: T): void => {
      for (const key of map(object)) this.queue.add(key);
    };
    informer.addHandler({
      onAdd: enqueue,
      onUpdate: (previous, object) => {
        if (options?.updates && !options.updates(previous, object)) return;
        enqueue(previous);
        enqueue(object);
      },
      onDelete: enqueue,
    });
    this.#informers.push(informer);
    return this;
  }

  enqueue(key: ObjectKey): void {
    this.queue.add(key);
  }

  enqueueAfter(key: ObjectKey, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Waits for the watched informers' caches, then starts the workers. */
  async start(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.waitForSync(signal)));
    const workers = this.#options.workers ?? 2;
    this.#workers = Array.from({ length: workers }, () => this.#work());
    this.#logger.info({ workers }, 'controller started');
  }

  /** Stops taking keys and waits for the reconciles in flight; queued keys are dropped. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcile(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #reconcile(key: ObjectKey): Promise<void> {
    const reconcileID = randomUUID();
    const logger = this.#logger.child({ object: key, reconcileID });
    const started = performance.now();
    let result: Result;
    let error: unknown;
    try {
      const outcome = await this.#options.reconcile({ key, reconcileID, logger });
      this.queue.forget(key);
      if (outcome?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, outcome.requeueAfterMs);
        result = 'requeue';
      } else {
        result = 'success';
      }
    } catch (thrown) {
      error = thrown;
      if (thrown instanceof TerminalError || thrown instanceof NotLeaderError) {
        this.queue.forget(key);
        result = 'terminal';
      } else {
        this.queue.addRateLimited(key);
        result = 'error';
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.#options.metrics?.reconciles.inc({ controller: this.name, result });
    this.#options.metrics?.reconcileDuration.observe({ controller: this.name }, seconds);
    const fields = { result, durationMs: Math.round(seconds * 1000) };
    // Debug: a healthy controller's info log is its lifecycle and its failures, not every success.
    if (error === undefined) logger.debug(fields, 'reconciled');
    else logger.error({ ...fields, err: errorMessage(error), retries: this.queue.numRequeues(key) }, 'reconcile failed');
  }
}
