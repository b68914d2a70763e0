import { describe, expect, it } from 'vitest';

import { memberSpread } from './member-spread.ts';
import { ROLL_CALL_SPREAD_MS } from './roll-call.ts';

const names = Array.from({ length: 1000 }, (_, i) => `member-${String(i).padStart(4, '0')}`);

describe('memberSpread', () => {
  it('gives every member a fixed point in [0, 1)', () => {
    for (const name of names) {
      const point = memberSpread(name);
      expect(point).toBeGreaterThanOrEqual(0);
      expect(point).toBeLessThan(1);
      expect(memberSpread(name)).toBe(point);
    }
  });

  it('spreads a thousand members named in sequence evenly: a roll call is about two probes a millisecond', () => {
    const perTenMs = new Map<number, number>();
    for (const name of names) {
      const slot = Math.floor((memberSpread(name) * ROLL_CALL_SPREAD_MS) / 5);
      perTenMs.set(slot, (perTenMs.get(slot) ?? 0) + 1);
    }
    // 100 slots of 5 ms, 10 expected in each.
    expect(perTenMs.size).toBeGreaterThan(95);
    expect(Math.max(...perTenMs.values())).toBeLessThan(25);
  });
});
