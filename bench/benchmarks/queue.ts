import { WorkQueue } from '@promfleet/kube/queue';

import { round, type Benchmark } from '../harness.ts';

/** A plain FIFO with the same add/get/done shape: the floor any queue pays. */
class ArrayQueue {
  readonly #items: string[] = [];
  #head = 0;
  add(key: string): void {
    this.#items.push(key);
  }
  get(): string | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head++] : undefined;
  }
}

async function drainKit(keys: readonly string[], workers: number): Promise<number> {
  const queue = new WorkQueue<string>();
  const started = performance.now();
  for (const key of keys) queue.add(key);
  const drained = queue.shutDownWithDrain();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) queue.done(key);
    }),
  );
  await drained;
  return performance.now() - started;
}

async function drainArray(keys: readonly string[], workers: number): Promise<number> {
  const queue = new ArrayQueue();
  const started = performance.now();
  for (const key of keys) queue.add(key);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let key = queue.get(); key !== undefined; key = queue.get()) await Promise.resolve(key);
    }),
  );
  return performance.now() - started;
}

export const queueBenchmark: Benchmark = {
  name: 'queue',
  description: 'work queue throughput (add, get, done) against a plain array FIFO',
  async run({ smoke }) {
    const sizes = smoke ? [1_000] : [10_000, 100_000];
    const rows = [];
    for (const size of sizes) {
      const distinct = Array.from({ length: size }, (_, i) => `ns/replica-${String(i)}`);
      // Controllers re-add keys all the time; dedup is what makes a queue worth having.
      const repeated = Array.from({ length: size }, (_, i) => `ns/replica-${String(i % 100)}`);
      for (const [shape, keys] of [
        ['distinct keys', distinct],
        ['100 keys re-added', repeated],
      ] as const) {
        await drainKit(keys, 4);
        const kit = Math.min(await drainKit(keys, 4), await drainKit(keys, 4));
        const floor = Math.min(await drainArray(keys, 4), await drainArray(keys, 4));
        rows.push({
          adds: size,
          shape,
          'kit keys/s': Math.round(size / (kit / 1000)),
          'array keys/s': Math.round(size / (floor / 1000)),
          'kit / array time': round(kit / floor, 2),
        });
      }
    }
    return [
      {
        title: 'Work queue throughput (4 workers, no-op reconcile; best of 2)',
        columns: ['adds', 'shape', 'kit keys/s', 'array keys/s', 'kit / array time'],
        rows,
        notes: ['With re-added keys the kit processes each distinct key once per round (dedup); the array processes every add.'],
      },
    ];
  },
};
