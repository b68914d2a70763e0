import { Counter, Gauge, Histogram, type Registry, exponentialBuckets } from 'prom-client';

import type { ProcessingSeconds, WorkQueueMetrics } from './work-queue.ts';

const DEPTH = 'promfleet_workqueue_depth';
const ADDS = 'promfleet_workqueue_adds_total';
const RETRIES = 'promfleet_workqueue_retries_total';
const QUEUE_DURATION = 'promfleet_workqueue_queue_duration_seconds';
const WORK_DURATION = 'promfleet_workqueue_work_duration_seconds';
const UNFINISHED_WORK = 'promfleet_workqueue_unfinished_work_seconds';
const LONGEST_RUNNING = 'promfleet_workqueue_longest_running_processor_seconds';

const labelNames = ['name'] as const;
// 1 ms doubling up to about 131 s.
const durationBuckets = exponentialBuckets(0.001, 2, 18);

/** Per registry, each queue's reader of its work in progress, by queue name. */
const inProgress = new WeakMap<Registry, Map<string, () => ProcessingSeconds>>();

function readersOf(registry: Registry): Map<string, () => ProcessingSeconds> {
  let readers = inProgress.get(registry);
  if (readers === undefined) inProgress.set(registry, (readers = new Map<string, () => ProcessingSeconds>()));
  return readers;
}

/** A gauge of work in progress, computed from every queue of the registry when scraped. */
function inProgressGauge(registry: Registry, name: string, help: string, figure: keyof ProcessingSeconds): Gauge {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [queue, read] of readersOf(registry)) this.set({ name: queue }, read()[figure]);
    },
  });
}

/** Work queue metrics in `registry`, labelled name=queueName; queues sharing a registry share the metrics. */
export function workQueueMetrics(registry: Registry, queueName: string): WorkQueueMetrics {
  const labels = { name: queueName };
  const registers = [registry];
  const depth = reuse(registry, DEPTH, Gauge, () => new Gauge({ name: DEPTH, help: 'Keys in the work queue that need processing', labelNames, registers }));
  const adds = reuse(registry, ADDS, Counter, () => new Counter({ name: ADDS, help: 'Keys added to the work queue', labelNames, registers }));
  const retries = reuse(
    registry,
    RETRIES,
    Counter,
    () => new Counter({ name: RETRIES, help: 'Delayed and rate-limited adds to the work queue', labelNames, registers }),
  );
  const queueDuration = reuse(
    registry,
    QUEUE_DURATION,
    Histogram,
    () =>
      new Histogram({
        name: QUEUE_DURATION,
        help: 'Seconds a key waits in the work queue before a worker gets it',
        labelNames,
        buckets: durationBuckets,
        registers,
      }),
  );
  const workDuration = reuse(
    registry,
    WORK_DURATION,
    Histogram,
    () => new Histogram({ name: WORK_DURATION, help: 'Seconds a worker spends on a key, from get to done', labelNames, buckets: durationBuckets, registers }),
  );
  reuse(registry, UNFINISHED_WORK, Gauge, () =>
    inProgressGauge(
      registry,
      UNFINISHED_WORK,
      'Seconds of work in progress that work_duration has not observed yet, summed over the keys being processed; it grows by one per second per stuck worker',
      'unfinished',
    ),
  );
  reuse(registry, LONGEST_RUNNING, Gauge, () =>
    inProgressGauge(registry, LONGEST_RUNNING, 'Seconds the longest-running worker has spent on its key so far', 'longest'),
  );
  return {
    setDepth: (n) => {
      depth.set(labels, n);
    },
    added: () => {
      adds.inc(labels);
    },
    retried: () => {
      retries.inc(labels);
    },
    observeQueueDuration: (seconds) => {
      queueDuration.observe(labels, seconds);
    },
    observeWorkDuration: (seconds) => {
      workDuration.observe(labels, seconds);
    },
    trackProcessing: (read) => {
      readersOf(registry).set(queueName, read);
    },
  };
}

/** The metric already registered under `name`, or a new one from `create`. */
function reuse<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M, create: () => M): M {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return create();
  if (existing instanceof kind) return existing;
  throw new Error(`metric ${name} is already registered with another type`);
}
