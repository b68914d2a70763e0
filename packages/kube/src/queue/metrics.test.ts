import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { FakeClock } from '../testing/fake-clock.ts';
import { workQueueMetrics } from './metrics.ts';
import { WorkQueue } from './work-queue.ts';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The value of `metricName` (a metric or its _sum/_count series) for the queue called `queue`. */
function valueOf(metrics: MetricsJson, name: string, queue: string, metricName = name): number | undefined {
  return (
    metrics
      .find((metric) => metric.name === name)
      // Histogram samples name their series (_bucket, _sum, _count), which the declared type omits.
      ?.values.find((sample) => ('metricName' in sample ? sample.metricName : name) === metricName && sample.labels.name === queue)?.value
  );
}

describe('workQueueMetrics', () => {
  it('reports depth, adds, retries and queue and work durations on the queue clock', async () => {
    const registry = new Registry();
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock, metrics: workQueueMetrics(registry, 'members') });

    queue.add('a');
    queue.add('b');
    queue.add('a');
    clock.advance(250);
    expect(await queue.get()).toBe('a');
    queue.add('a');
    clock.advance(1500);
    queue.done('a');
    queue.addAfter('c', 10);
    queue.addRateLimited('d');

    const metrics = await registry.getMetricsAsJSON();
    expect(valueOf(metrics, 'promfleet_workqueue_depth', 'members')).toBe(2);
    expect(valueOf(metrics, 'promfleet_workqueue_adds_total', 'members')).toBe(3);
    expect(valueOf(metrics, 'promfleet_workqueue_retries_total', 'members')).toBe(2);
    const queueDuration = 'promfleet_workqueue_queue_duration_seconds';
    expect(valueOf(metrics, queueDuration, 'members', `${queueDuration}_count`)).toBe(1);
    expect(valueOf(metrics, queueDuration, 'members', `${queueDuration}_sum`)).toBe(0.25);
    const workDuration = 'promfleet_workqueue_work_duration_seconds';
    expect(valueOf(metrics, workDuration, 'members', `${workDuration}_count`)).toBe(1);
    expect(valueOf(metrics, workDuration, 'members', `${workDuration}_sum`)).toBe(1.5);
  });

  it("reports client-go's unfinished work and longest-running processor when scraped, which a stuck worker keeps growing", async () => {
    const registry = new Registry();
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock, metrics: workQueueMetrics(registry, 'members') });
    const other = new WorkQueue({ clock, metrics: workQueueMetrics(registry, 'clusters') });
    const figures = async (name = 'members'): Promise<[number | undefined, number | undefined]> => {
      const metrics = await registry.getMetricsAsJSON();
      return [
        valueOf(metrics, 'promfleet_workqueue_unfinished_work_seconds', name),
        valueOf(metrics, 'promfleet_workqueue_longest_running_processor_seconds', name),
      ];
    };

    queue.add('a');
    queue.add('b');
    other.add('x');
    expect(await figures()).toEqual([0, 0]);
    expect(await queue.get()).toBe('a');
    clock.advance(2000);
    expect(await queue.get()).toBe('b');
    clock.advance(3000);
    // a for 5 s, b for 3 s; the work duration has seen neither.
    expect(await figures()).toEqual([8, 5]);
    clock.advance(1000);
    expect(await figures()).toEqual([10, 6]);
    expect(await figures('clusters')).toEqual([0, 0]);
    queue.done('a');
    expect(await figures()).toEqual([4, 4]);
    queue.done('b');
    expect(await figures()).toEqual([0, 0]);
  });

  it('registers each metric once for several queues, labelled by queue name', async () => {
    const registry = new Registry();
    const first = new WorkQueue({ clock: new FakeClock(), metrics: workQueueMetrics(registry, 'first') });
    const second = new WorkQueue({ clock: new FakeClock(), metrics: workQueueMetrics(registry, 'second') });
    first.add('a');
    second.add('a');
    second.add('b');

    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.map((metric) => metric.name).sort()).toEqual([
      'promfleet_workqueue_adds_total',
      'promfleet_workqueue_depth',
      'promfleet_workqueue_longest_running_processor_seconds',
      'promfleet_workqueue_queue_duration_seconds',
      'promfleet_workqueue_retries_total',
      'promfleet_workqueue_unfinished_work_seconds',
      'promfleet_workqueue_work_duration_seconds',
    ]);
    expect(valueOf(metrics, 'promfleet_workqueue_adds_total', 'first')).toBe(1);
    expect(valueOf(metrics, 'promfleet_workqueue_adds_total', 'second')).toBe(2);
  });

  it('refuses a metric name that is registered with another type', () => {
    const registry = new Registry();
    new Counter({ name: 'promfleet_workqueue_depth', help: 'not a gauge', registers: [registry] });
    expect(() => workQueueMetrics(registry, 'q')).toThrow(/another type/);
  });
});
