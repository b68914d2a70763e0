import { describe, expect, it } from 'vitest';

import { FakeClock } from './fake-clock.ts';

describe('FakeClock', () => {
  it('fires due timers in time order, with now() at each due time, and keeps later ones', () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push('late'), 100);

    clock.advance(50);

    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1030']);
    expect(clock.now()).toBe(1050);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDueAt()).toBe(1100);
  });

  it('says when the next timer comes due, none when none is pending', () => {
    const clock = new FakeClock(0);
    expect(clock.nextDueAt()).toBeUndefined();
    const later = clock.setTimeout(() => undefined, 30);
    clock.setTimeout(() => undefined, 20);
    expect(clock.nextDueAt()).toBe(20);
    clock.advance(25);
    expect(clock.nextDueAt()).toBe(30);
    clock.clearTimeout(later);
    expect(clock.nextDueAt()).toBeUndefined();
  });

  it('fires timers due at the same time in the order they were scheduled', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    for (const n of [1, 2, 3]) clock.setTimeout(() => fired.push(n), 5);
    clock.advance(5);
    expect(fired).toEqual([1, 2, 3]);
  });

  it('fires timers that callbacks schedule during an advance when they come due before its end', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);

    clock.advance(35);

    expect(fired).toEqual([10, 20, 30]);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('does not fire cleared timers', () => {
    const clock = new FakeClock();
    let fired = false;
    const timer = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(timer);
    clock.advance(20);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses to go back in time', () => {
    expect(() => {
      new FakeClock().advance(-1);
    }).toThrow(RangeError);
  });
});
