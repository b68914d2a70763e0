import type { Rollout } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { maxUnavailableCount, planRollout, type RolloutMember } from './planner.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const progressive: Rollout = {
  strategy: 'Progressive',
  maxUnavailable: 1,
  progressDeadline: '10m',
  paused: false,
  waves: [{ name: 'canary', clusterSelector: { matchLabels: { tier: 'canary' } } }],
};

function member(name: string, revision: string | undefined, extra: Partial<RolloutMember> = {}): RolloutMember {
  return { name, labels: name === 'canary' ? { tier: 'canary' } : {}, revision, online: true, available: true, since: minutesAgo(60), ...extra };
}

const fleet = (revisions: Record<string, string | undefined>, extra: Record<string, Partial<RolloutMember>> = {}) =>
  Object.entries(revisions).map(([name, revision]) => member(name, revision, extra[name]));

const moved = (plan: ReturnType<typeof planRollout>, from: readonly RolloutMember[]) =>
  from.filter((m) => plan.pins.get(m.name) !== m.revision).map((m) => m.name);

describe('planRollout', () => {
  it('moves the canary wave first, one member at a time', () => {
    const members = fleet({ alpha: 'r1', beta: 'r1', canary: 'r1' });
    const plan = planRollout({ members, target: 'r2', rollout: progressive, now: NOW });
    expect(moved(plan, members)).toEqual(['canary']);
    expect(plan.status).toMatchObject({ state: 'Progressing', currentWave: 'canary', updated: 0, pending: 3, targetRevision: 'r2' });
    expect(plan.requeueAfterMs).toBe(600_100);
  });

  it('waits while the member it moved is not Running yet, then takes the next one by name', () => {
    const updating = fleet({ alpha: 'r1', beta: 'r1', canary: 'r2' }, { canary: { available: false, since: minutesAgo(2) } });
    const waiting = planRollout({ members: updating, target: 'r2', rollout: progressive, now: NOW });
    expect(moved(waiting, updating)).toEqual([]);
    expect(waiting.status.currentWave).toBe('canary');
    expect(waiting.requeueAfterMs).toBe(8 * 60_000 + 100);

    const canaryDone = fleet({ alpha: 'r1', beta: 'r1', canary: 'r2' });
    const next = planRollout({ members: canaryDone, target: 'r2', rollout: progressive, now: NOW });
    expect(moved(next, canaryDone)).toEqual(['alpha']);
    expect(next.status).toMatchObject({ updated: 1, pending: 2, state: 'Progressing' });
    expect(next.status.currentWave).toBeUndefined();
  });

  it('moves maxUnavailable members at once, a percentage rounded up', () => {
    const members = fleet({ a: 'r1', b: 'r1', c: 'r1', d: 'r1', e: 'r1' });
    const plan = planRollout({ members, target: 'r2', rollout: { ...progressive, waves: undefined, maxUnavailable: '40%' }, now: NOW });
    expect(moved(plan, members)).toEqual(['a', 'b']);
  });

  it('halts when a member is not Running progressDeadline after it got the revision, and moves nothing else', () => {
    const members = fleet({ alpha: 'r1', beta: 'r1', canary: 'r2' }, { canary: { available: false, since: minutesAgo(11), message: 'ImagePullBackOff' } });
    const plan = planRollout({ members, target: 'r2', rollout: { ...progressive, maxUnavailable: 3 }, now: NOW });
    expect(moved(plan, members)).toEqual([]);
    expect(plan.halted).toEqual({ member: 'canary', message: 'canary is not Running at revision r2 10m after it got it: ImagePullBackOff' });
    expect(plan.status).toMatchObject({ state: 'Halted', currentWave: 'canary' });
    expect(plan.requeueAfterMs).toBeUndefined();
  });

  it('rolls back the failed member first when the spec is reverted', () => {
    const members = fleet({ alpha: 'r1', beta: 'r1', canary: 'r2' }, { canary: { available: false, since: minutesAgo(30) } });
    const plan = planRollout({ members, target: 'r1', rollout: progressive, now: NOW });
    expect(moved(plan, members)).toEqual(['canary']);
    expect(plan.halted).toBeUndefined();
    expect(plan.status).toMatchObject({ state: 'Progressing', updated: 2, pending: 1 });
  });

  it('moves members that are already not Running without waiting for a slot', () => {
    const members = fleet({ a: 'r1', b: 'r1', c: 'r1' }, { b: { available: false }, c: { available: false } });
    const plan = planRollout({ members, target: 'r2', rollout: { ...progressive, waves: undefined }, now: NOW });
    expect(moved(plan, members)).toEqual(['b', 'c']);
  });

  it('moves nothing while paused, but gives a new member the newest revision', () => {
    const members = fleet({ alpha: 'r1', canary: 'r1', fresh: undefined });
    const plan = planRollout({ members, target: 'r2', rollout: { ...progressive, paused: true }, now: NOW });
    expect(moved(plan, members)).toEqual(['fresh']);
    expect(plan.pins.get('alpha')).toBe('r1');
    expect(plan.status).toMatchObject({ state: 'Paused', message: 'paused with 0/3 members at revision r2' });
  });

  it('neither moves nor counts offline members, which do not hold up the waves', () => {
    const members = fleet({ alpha: 'r1', beta: 'r1', canary: 'r1' }, { canary: { online: false, available: false } });
    const plan = planRollout({ members, target: 'r2', rollout: progressive, now: NOW });
    expect(moved(plan, members)).toEqual(['alpha']);
    expect(plan.status.message).toBe('0/3 members at revision r2; offline, to catch up when back: canary');
  });

  it('leaves a member the target is invalid for where it is, without holding up the others', () => {
    const members = fleet({ alpha: 'r1', beta: 'r1', canary: 'r1' }, { canary: { blocked: 'merged spec invalid: spec.externalLabels.tier: …' } });
    const plan = planRollout({ members, target: 'r2', rollout: progressive, now: NOW });
    expect(moved(plan, members)).toEqual(['alpha']);
    expect(plan.status.message).toBe('0/3 members at revision r2; the target revision is invalid for (see their entries): canary');
    const all = planRollout({ members, target: 'r2', rollout: { ...progressive, strategy: 'All' }, now: NOW });
    expect(moved(all, members)).toEqual(['alpha', 'beta']);
  });

  it('moves every member at once with strategy All', () => {
    const members = fleet({ a: 'r1', b: 'r1', c: 'r1' });
    const plan = planRollout({ members, target: 'r2', rollout: { ...progressive, strategy: 'All' }, now: NOW });
    expect(moved(plan, members)).toEqual(['a', 'b', 'c']);
  });

  it('is Complete when every member runs the target', () => {
    const plan = planRollout({ members: fleet({ a: 'r2', b: 'r2' }), target: 'r2', rollout: progressive, now: NOW });
    expect(plan.status).toEqual({
      strategy: 'Progressive',
      targetRevision: 'r2',
      updated: 2,
      pending: 0,
      state: 'Complete',
      message: 'all 2 members run revision r2',
    });
  });
});

describe('maxUnavailableCount', () => {
  it('takes counts as they are and rounds percentages up, never below 1', () => {
    expect(maxUnavailableCount(10, 100)).toBe(10);
    expect(maxUnavailableCount('25%', 10)).toBe(3);
    expect(maxUnavailableCount('1%', 10)).toBe(1);
    expect(maxUnavailableCount('100%', 7)).toBe(7);
  });
});

describe('planRollout after completion', () => {
  it('stays Complete while members fail at the target revision: a failure after the rollout halts nothing', () => {
    const members = fleet({ alpha: 'r2', beta: 'r2', canary: 'r2' }, { beta: { available: false, since: minutesAgo(60) } });
    const plan = planRollout({ members, target: 'r2', rollout: progressive, now: NOW, completed: true });
    expect(plan.status).toMatchObject({ state: 'Complete', updated: 3, pending: 0 });
    expect(plan.halted).toBeUndefined();
    expect(plan.requeueAfterMs).toBeUndefined();
    // Without the earlier completion the same fleet is a rollout halted on beta.
    expect(planRollout({ members, target: 'r2', rollout: progressive, now: NOW }).status.state).toBe('Halted');
  });

  it('gives a new member the target and stays Complete; a member left on an older revision plans again', () => {
    const joining = fleet({ alpha: 'r2', beta: undefined });
    const plan = planRollout({ members: joining, target: 'r2', rollout: progressive, now: NOW, completed: true });
    expect(plan.pins.get('beta')).toBe('r2');
    expect(plan.status.state).toBe('Complete');
    const behind = fleet({ alpha: 'r2', beta: 'r1' });
    expect(planRollout({ members: behind, target: 'r2', rollout: progressive, now: NOW, completed: true }).status.state).toBe('Progressing');
  });
});
