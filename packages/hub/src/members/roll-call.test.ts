import { describe, expect, it } from 'vitest';

import { memberSpread } from './member-spread.ts';
import { ROLL_CALL_SPREAD_MS, RollCall } from './roll-call.ts';

function fleet(size: number) {
  let now = 1_000_000;
  const asked: { name: string; delayMs: number }[] = [];
  const members = Array.from({ length: size }, (_, i) => {
    const name = `member-${String(i).padStart(4, '0')}`;
    return {
      name,
      rollCall: (delayMs: number) => {
        asked.push({ name, delayMs });
      },
    };
  });
  let calls = 0;
  const rollCall = new RollCall({
    now: () => now,
    members: () => members,
    onRollCall: () => {
      calls++;
    },
  });
  return {
    rollCall,
    asked,
    calls: () => calls,
    tick: (ms: number) => {
      now += ms;
      return now;
    },
  };
}

describe('RollCall', () => {
  it('asks every member, each at its own point of the spread', () => {
    const f = fleet(1000);
    expect(f.rollCall.lost(f.tick(0) - 1_750)).toBe(true);
    expect(f.asked).toHaveLength(1000);
    for (const { name, delayMs } of f.asked) {
      expect(delayMs).toBe(Math.floor(memberSpread(name) * ROLL_CALL_SPREAD_MS));
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(ROLL_CALL_SPREAD_MS);
    }
    expect(f.calls()).toBe(1);
  });

  it('asks nothing for a failure whose probe went out before the last roll call (or was its own), and again for one sent after it', () => {
    const f = fleet(3);
    const sentAt = f.tick(0) - 1_750;
    expect(f.rollCall.lost(sentAt)).toBe(true);
    const calledAt = f.tick(0);
    // Another member's probe sent before the roll call, failing after it; the roll call's own probes.
    f.tick(500);
    expect(f.rollCall.lost(sentAt + 300)).toBe(false);
    expect(f.rollCall.lost(calledAt)).toBe(false);
    expect(f.asked).toHaveLength(3);
    // A probe sent after the roll call (the next census of a member that answered it) fails: news.
    f.tick(30_000);
    expect(f.rollCall.lost(calledAt + 1)).toBe(true);
    expect(f.asked).toHaveLength(6);
    expect(f.calls()).toBe(2);
  });
});
