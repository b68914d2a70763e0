import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLogger } from '../observability/logger.ts';
import { KitMetrics } from '../observability/metrics.ts';
import { defaultControllerRateLimiter } from '../queue/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { Controller, TerminalError, type ReconcileResult } from './controller.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await settle();
}

function controllerWith(reconcile: (key: string) => Promise<ReconcileResult | undefined>) {
  const clock = new FakeClock();
  const metrics = new KitMetrics();
  const calls: { key: string; at: number }[] = [];
  const controller = new Controller({
    name: 'test',
    workers: 2,
    metrics,
    clock,
    rateLimiter: defaultControllerRateLimiter(clock),
    reconcile: async ({ key }) => {
      calls.push({ key, at: clock.now() });
      return reconcile(key);
    },
  });
  return { clock, metrics, calls, controller };
}

async function results(metrics: KitMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.reconciles.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.result), v.value]));
}

describe('Controller', () => {
  it('retries a reconcile that throws with growing delays (5, 10, 20 ms …), and forgets after a success', async () => {
    let failures = 3;
    const { clock, metrics, calls, controller } = controllerWith(() => (failures-- > 0 ? Promise.reject(new Error('boom')) : Promise.resolve(undefined)));
    await controller.start();
    controller.enqueue('ns/a');
    await advance(clock, 0);
    expect(calls.map((c) => c.at)).toEqual([0]);
    await advance(clock, 4);
    expect(calls).toHaveLength(1);
    await advance(clock, 1);
    await advance(clock, 10);
    await advance(clock, 20);
    expect(calls.map((c) => c.at)).toEqual([0, 5, 15, 35]);
    expect(controller.queue.numRequeues('ns/a')).toBe(0);
    expect(await results(metrics)).toEqual({ error: 3, success: 1 });
    await controller.stop();
  });

  it('does not retry a TerminalError, and requeues after the delay a reconcile asks for', async () => {
    const { clock, metrics, calls, controller } = controllerWith((key) =>
      key === 'ns/bad' ? Promise.reject(new TerminalError('spec invalid')) : Promise.resolve({ requeueAfterMs: 1000 }),
    );
    await controller.start();
    controller.enqueue('ns/bad');
    controller.enqueue('ns/good');
    await advance(clock, 0);
    await advance(clock, 999);
    expect(calls.map((c) => c.key).sort()).toEqual(['ns/bad', 'ns/good']);
    await advance(clock, 1);
    expect(calls.map((c) => `${c.key}@${String(c.at)}`)).toContain('ns/good@1000');
    expect(calls.filter((c) => c.key === 'ns/bad')).toHaveLength(1);
    expect(await results(metrics)).toEqual({ terminal: 1, requeue: 2 });
    await controller.stop();
  });

  it('never reconciles one key in two workers at once', async () => {
    let running = 0;
    let overlap = false;
    let release: () => void = () => undefined;
    const { controller } = controllerWith(async () => {
      running++;
      if (running > 1) overlap = true;
      await new Promise<void>((resolve) => (release = resolve));
      running--;
      return undefined;
    });
    await controller.start();
    controller.enqueue('ns/a');
    await settle();
    controller.enqueue('ns/a');
    await settle();
    release();
    await settle();
    await settle();
    release();
    await settle();
    expect(overlap).toBe(false);
    await controller.stop();
  });

  it.each([
    ['info', []],
    ['debug', [{ level: 'debug', msg: 'reconciled', object: 'ns/good', result: 'success' }]],
  ] as const)('logs a failed reconcile as an error and a successful one at debug level (at %s: %j)', async (level, successes) => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const clock = new FakeClock();
    const controller = new Controller({
      name: 'test',
      clock,
      logger: createLogger({ name: 'test', level, destination }),
      reconcile: ({ key }) => (key === 'ns/bad' ? Promise.reject(new TerminalError('spec invalid')) : Promise.resolve(undefined)),
    });
    await controller.start();
    controller.enqueue('ns/good');
    controller.enqueue('ns/bad');
    await advance(clock, 0);
    await controller.stop();
    const reconciles = lines.filter((line) => line.object !== undefined);
    expect(reconciles.filter((line) => line.msg === 'reconcile failed')).toMatchObject([
      { level: 'error', object: 'ns/bad', result: 'terminal', err: 'spec invalid' },
    ]);
    expect(reconciles.filter((line) => line.msg === 'reconciled')).toMatchObject(successes);
  });
});
