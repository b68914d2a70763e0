import { describe, expect, it } from 'vitest';

import { changedConditions, findCondition, isConditionTrue, setCondition, setConditions } from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('setCondition', () => {
  it('adds a condition with second-precision time and observedGeneration', () => {
    const list = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: 'waiting' }, 3, t0);
    expect(list).toEqual([
      { type: 'Ready', status: 'False', reason: 'Pending', message: 'waiting', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 },
    ]);
  });

  it('keeps lastTransitionTime while the status stays, even if reason and message change', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, 1, t0);
    const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'B', message: 'b' }, 2, t1);
    expect(second[0]).toMatchObject({ reason: 'B', message: 'b', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 });
  });

  it('moves lastTransitionTime when the status changes and leaves other conditions alone', () => {
    const first = setConditions(
      undefined,
      [
        { type: 'Ready', status: 'False', reason: 'A', message: '' },
        { type: 'ConfigValid', status: 'True', reason: 'Valid', message: '' },
      ],
      1,
      t0,
    );
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'AllReady', message: '' }, 1, t1);
    expect(findCondition(second, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(findCondition(second, 'ConfigValid')).toEqual(first[1]);
    expect(isConditionTrue(second, 'Ready')).toBe(true);
    expect(changedConditions(first, second).map((c) => c.type)).toEqual(['Ready']);
  });

  it('truncates messages to the API limit', () => {
    const list = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'A', message: 'x'.repeat(40_000) }, 1, t0);
    expect(list[0]?.message.length).toBe(32_768);
  });
});
