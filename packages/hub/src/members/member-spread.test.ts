import { describe, expect, it } from 'vitest';

import { CENSUS_SPREAD_MS } from './liveness.ts';
import { memberSpread } from './member-spread.ts';

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

  it('spreads a thousand members named in sequence evenly: a census is about one probe a millisecond', () => {
    const perTenMs = new Map<number, number>();
    for (const name of names) {
      const slot = Math.floor((memberSpread(name) * CENSUS_SPREAD_MS) / 10);
      perTenMs.set(slot, (perTenMs.get(slot) ?? 0) + 1);
    }
    // 100 slots of 10 ms, 10 expected in each.
    expect(perTenMs.size).toBeGreaterThan(95);
    expect(Math.max(...perTenMs.values())).toBeLessThan(25);
  });
});
