import { describe, expect, it } from 'vitest';

import { FakeClock } from '../testing/fake-clock.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './work-queue.ts';

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Observes a promise without awaiting it, to assert whether it has settled yet. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T } {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

function setup(): { clock: FakeClock; queue: WorkQueue } {
  const clock = new FakeClock();
  return { clock, queue: new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, 1000) }) };
}

async function getAll(queue: WorkQueue): Promise<(string | undefined)[]> {
  const keys: (string | undefined)[] = [];
  while (queue.len() > 0) keys.push(await queue.get());
  return keys;
}

describe('WorkQueue add/get/done', () => {
  it('hands keys out in the order they were added', async () => {
    const { queue } = setup();
    for (const key of ['c', 'a', 'b']) queue.add(key);
    expect(queue.len()).toBe(3);
    expect(await getAll(queue)).toEqual(['c', 'a', 'b']);
  });

  it('holds a waiting key once however often it is added', async () => {
    const { queue } = setup();
    for (const key of ['a', 'b', 'a', 'a', 'b']) queue.add(key);
    expect(queue.len()).toBe(2);
    expect(await getAll(queue)).toEqual(['a', 'b']);
    const next = track(queue.get());
    await flush();
    expect(next.settled).toBe(false);
  });

  it('serves concurrent get() calls in the order they were made', async () => {
    const { queue } = setup();
    const waiting = [queue.get(), queue.get(), queue.get()];
    for (const key of ['x', 'y', 'z']) queue.add(key);
    expect(await Promise.all(waiting)).toEqual(['x', 'y', 'z']);
  });

  it('hands a waiting worker a key added several times in one turn once (several handlers of one event)', async () => {
    const { queue } = setup();
    const waiting = [track(queue.get()), track(queue.get())];
    queue.add('a');
    queue.add('a');
    await flush();
    expect(waiting.map((got) => got.value)).toEqual(['a', undefined]);
    queue.done('a');
    await flush();
    // Not marked dirty by the second add: nothing is handed out again.
    expect(waiting[1]?.settled).toBe(false);
    expect(queue.len()).toBe(0);
  });

  it('does not hand out a key that is processing, and hands it out once more after done', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');

    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0);
    const second = track(queue.get());
    await flush();
    expect(second.settled).toBe(false);

    queue.add('b');
    await flush();
    expect(second.value).toBe('b');

    queue.done('a');
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    queue.done('b');
    expect(queue.len()).toBe(0);
  });

  it('never runs one key on two workers, and runs it again for each add during its work', async () => {
    const { queue } = setup();
    const running = new Set<string>();
    const log: string[] = [];
    let overlaps = 0;
    const worker = async (name: string): Promise<void> => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        if (running.has(key)) overlaps++;
        running.add(key);
        log.push(`${name}:${key}`);
        // An event for the key arrives during its first two runs.
        if (log.length < 3) queue.add(key);
        await flush();
        running.delete(key);
        queue.done(key);
      }
    };
    const workers = [worker('w1'), worker('w2')];
    queue.add('a');
    for (let i = 0; i < 20 && log.length < 3; i++) await flush();

    await queue.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(log).toEqual(['w1:a', 'w2:a', 'w1:a']);
  });

  it('ignores done() for a key that is not processing', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.done('a');
    queue.done('never-added');
    expect(await getAll(queue)).toEqual(['a']);
  });
});

describe('WorkQueue addAfter', () => {
  it('adds keys when their delays pass, earliest first, with one timer', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 30);
    queue.addAfter('b', 10);
    queue.addAfter('c', 20);
    queue.addAfter('d', 20);
    expect(clock.pendingTimers()).toBe(1);

    clock.advance(9);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(await getAll(queue)).toEqual(['b']);
    clock.advance(20);
    expect(await getAll(queue)).toEqual(['c', 'd', 'a']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps the earlier time when a waiting key is added again with a later one', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 50);
    queue.addAfter('a', 100);
    clock.advance(50);
    expect(await getAll(queue)).toEqual(['a']);
    queue.done('a');
    clock.advance(100);
    expect(queue.len()).toBe(0);
  });

  it('moves a waiting key earlier when it is added again with an earlier time', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 100);
    queue.addAfter('b', 60);
    queue.addAfter('a', 50);
    clock.advance(50);
    expect(await getAll(queue)).toEqual(['a']);
    queue.done('a');
    clock.advance(50);
    expect(await getAll(queue)).toEqual(['b']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('adds at once when the delay is zero or negative', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    expect(clock.pendingTimers()).toBe(0);
    expect(await getAll(queue)).toEqual(['a', 'b']);
  });

  it('deduplicates a delayed key that is already waiting in the queue', async () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 10);
    queue.add('a');
    clock.advance(10);
    expect(await getAll(queue)).toEqual(['a']);
  });

  it('delays addRateLimited by the rate limiter, which forget resets', async () => {
    const { clock, queue } = setup();
    queue.addRateLimited('a');
    clock.advance(4);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(await getAll(queue)).toEqual(['a']);
    queue.done('a');

    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(2);
    clock.advance(9);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(queue.len()).toBe(1);

    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
  });
});

describe('WorkQueue shutdown', () => {
  it('shutDown wakes waiting getters with undefined, drops pending keys and ignores adds', async () => {
    const { clock, queue } = setup();
    const waiting = [queue.get(), queue.get()];
    queue.addAfter('delayed', 10);

    queue.shutDown();
    expect(queue.shuttingDown).toBe(true);
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    expect(clock.pendingTimers()).toBe(0);

    queue.add('a');
    queue.addAfter('b', 0);
    queue.addRateLimited('c');
    clock.advance(1000);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('shutDown drops keys that were queued before it', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    queue.add('a');

    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
    queue.done('a');
    expect(queue.len()).toBe(0);
  });

  it('shutDownWithDrain hands out what was queued and resolves when the processing keys are done', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.addAfter('delayed', 10);

    const drained = track(queue.shutDownWithDrain());
    queue.add('new');
    expect(clock.pendingTimers()).toBe(0);

    expect(await queue.get()).toBe('b');
    queue.done('b');
    await flush();
    expect(drained.settled).toBe(false);

    queue.done('a');
    expect(await queue.get()).toBe('a');
    await flush();
    expect(drained.settled).toBe(false);

    queue.done('a');
    await flush();
    expect(drained.settled).toBe(true);
    expect(await queue.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for queued keys that no worker has taken yet', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    const drained = track(queue.shutDownWithDrain());

    expect(await queue.get()).toBe('a');
    queue.done('a');
    await flush();
    expect(drained.settled).toBe(false);

    expect(await queue.get()).toBe('b');
    queue.done('b');
    await flush();
    expect(drained.settled).toBe(true);
  });

  it('shutDownWithDrain resolves at once when nothing is queued or processing', async () => {
    const { queue } = setup();
    const waiting = queue.get();
    await queue.shutDownWithDrain();
    expect(await waiting).toBeUndefined();
  });

  it('shutDown during a drain drops the queued keys and the drain ends with the processing ones', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    const drained = track(queue.shutDownWithDrain());

    queue.shutDown();
    await flush();
    expect(drained.settled).toBe(false);
    expect(await queue.get()).toBeUndefined();

    queue.done('a');
    await flush();
    expect(drained.settled).toBe(true);
  });
});
