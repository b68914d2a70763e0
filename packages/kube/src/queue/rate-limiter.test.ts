import { describe, expect, it } from 'vitest';

import { FakeClock } from '../testing/fake-clock.ts';
import { ItemExponentialFailureRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.ts';

function whens<K>(limiter: { when(key: K): number }, key: K, times: number): number[] {
  return Array.from({ length: times }, () => limiter.when(key));
}

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from 5 ms per failure of a key, capped at 1000 s', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>();
    const delays = whens(limiter, 'a', 20);
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[17]).toBe(5 * 2 ** 17);
    expect(delays.slice(18)).toEqual([1_000_000, 1_000_000]);
    expect(limiter.numRequeues('a')).toBe(20);
    expect(limiter.numRequeues('b')).toBe(0);
  });

  it('counts each key on its own and starts over after forget', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>(1, 1000);
    whens(limiter, 'a', 3);
    expect(limiter.when('b')).toBe(1);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(1);
    expect(limiter.numRequeues('b')).toBe(1);
  });

  it('stays at the cap when 2^failures overflows, and at zero with a zero base', () => {
    expect(whens(new ItemExponentialFailureRateLimiter<string>(5, 1000), 'a', 1100).at(-1)).toBe(1000);
    expect(whens(new ItemExponentialFailureRateLimiter<string>(0, 1000), 'a', 1100).at(-1)).toBe(0);
  });
});

describe('TokenBucketRateLimiter', () => {
  it('lets a burst of 100 through at once, then spaces retries 100 ms apart at 10 qps', () => {
    const limiter = new TokenBucketRateLimiter(10, 100, new FakeClock());
    expect(new Set(whens(limiter, 'any', 100))).toEqual(new Set([0]));
    expect(whens(limiter, 'any', 3)).toEqual([100, 200, 300]);
    expect(limiter.numRequeues()).toBe(0);
  });

  it('returns the wait from now until the reserved token exists', () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketRateLimiter(10, 100, clock);
    whens(limiter, 'any', 101);
    clock.advance(50);
    expect(limiter.when()).toBe(150);
  });

  it('refills at qps up to the burst', () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketRateLimiter(10, 100, clock);
    whens(limiter, 'any', 103);
    clock.advance(1000);
    expect(whens(limiter, 'any', 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 100]);

    clock.advance(3_600_000);
    expect(whens(limiter, 'any', 101).filter((delay) => delay > 0)).toEqual([100]);
  });

  it('accepts while a whole token is there and refuses without going into debt (tryAccept)', () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketRateLimiter(1 / 300, 25, clock);
    const accepted = Array.from({ length: 30 }, () => limiter.tryAccept());
    expect(accepted.filter(Boolean)).toHaveLength(25);
    expect(accepted.slice(25)).toEqual([false, false, false, false, false]);
    // Refusals took nothing: one token's worth of time later, exactly one more.
    clock.advance(299_999);
    expect(limiter.tryAccept()).toBe(false);
    clock.advance(1);
    expect([limiter.tryAccept(), limiter.tryAccept()]).toEqual([true, false]);
    // A reservation after tryAccept still waits for its own token.
    expect(limiter.when()).toBe(300_000);
  });

  it('rejects a rate or burst that cannot admit anything', () => {
    expect(() => new TokenBucketRateLimiter(0, 100, new FakeClock())).toThrow(RangeError);
    expect(() => new TokenBucketRateLimiter(10, 0, new FakeClock())).toThrow(RangeError);
  });
});

describe('MaxOfRateLimiter', () => {
  it('waits the longest delay, counts every failure in every limiter and forgets in all', () => {
    const fast = new ItemExponentialFailureRateLimiter<string>(1, 1000);
    const slow = new ItemExponentialFailureRateLimiter<string>(10, 15);
    const limiter = new MaxOfRateLimiter(fast, slow);

    expect(whens(limiter, 'a', 6)).toEqual([10, 15, 15, 15, 16, 32]);
    fast.when('a');
    expect(limiter.numRequeues('a')).toBe(7);
    expect(slow.numRequeues('a')).toBe(6);

    limiter.forget('a');
    expect([fast.numRequeues('a'), slow.numRequeues('a')]).toEqual([0, 0]);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('backs off per key from 5 ms and limits all keys together to 10 qps after a burst of 100', () => {
    const limiter = defaultControllerRateLimiter<string>(new FakeClock());
    expect(whens(limiter, 'a', 3)).toEqual([5, 10, 20]);
    const others = Array.from({ length: 97 }, (_, i) => limiter.when(`key-${i}`));
    expect(new Set(others)).toEqual(new Set([5]));
    expect(limiter.when('b')).toBe(100);
    expect(limiter.numRequeues('a')).toBe(3);
  });
});
