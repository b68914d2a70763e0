import { ANNOTATIONS, type MemberCluster, type PrometheusReplica, type Rollout } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { planRollout, type RolloutMember } from './planner.ts';
import { replan, reportedMember, rolloutTail } from './rollout-tail.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const all: Rollout = { strategy: 'All', maxUnavailable: 1, progressDeadline: '10m', paused: false };
const progressive: Rollout = { ...all, strategy: 'Progressive' };

function member(name: string, revision: string | undefined, extra: Partial<RolloutMember> = {}): RolloutMember {
  return { name, labels: {}, revision, online: true, available: false, since: new Date(NOW.getTime() - 60_000), ...extra };
}

const memberCluster = (name: string) => ({ metadata: { name, labels: {} }, spec: { namespace: 'monitoring' } }) as unknown as MemberCluster;
const seen = (revision: string, phase: string) => ({
  reachability: { state: 'ready' as const },
  cacheSynced: true,
  replica: {
    metadata: {
      name: 'fleet',
      namespace: 'monitoring',
      generation: 2,
      annotations: { [ANNOTATIONS.revision]: revision, [ANNOTATIONS.revisionTime]: '2026-01-01T11:59:00Z' },
    },
    status: { phase, observedGeneration: 2 },
  } as unknown as PrometheusReplica,
});

describe('rolloutTail', () => {
  it('is the rollout once every member is pinned to the target and runs a replica of it, not before', () => {
    const moved = [member('a', 'r2'), member('b', 'r2')];
    const plan = planRollout({ members: moved, target: 'r2', rollout: all, now: NOW });
    expect(plan.status.state).toBe('Progressing');
    expect([...(rolloutTail(plan, moved, all)?.members.keys() ?? [])]).toEqual(['a', 'b']);

    // Progressive, one member still to move: not a tail.
    const behind = [member('a', 'r2'), member('b', 'r1', { available: true })];
    expect(rolloutTail(planRollout({ members: behind, target: 'r2', rollout: progressive, now: NOW }), behind, progressive)).toBeUndefined();
    // Pinned to the target, but its replica is not there yet (an apply the member did not take): not a tail.
    expect(rolloutTail(plan, [member('a', 'r2'), member('b', 'r1')], all)).toBeUndefined();
    // A member the target is invalid for stays behind: not a tail.
    expect(rolloutTail(plan, [member('a', 'r2'), member('b', 'r2', { blocked: 'invalid' })], all)).toBeUndefined();
    // Complete: nothing left to finish.
    const done = moved.map((m) => ({ ...m, available: true }));
    expect(rolloutTail(planRollout({ members: done, target: 'r2', rollout: all, now: NOW }), done, all)).toBeUndefined();
    expect(rolloutTail(undefined, moved, all)).toBeUndefined();
  });
});

describe('replan', () => {
  it('finishes the rollout from the members’ reports alone', () => {
    const moved = [member('a', 'r2'), member('b', 'r2')];
    const tail = rolloutTail(planRollout({ members: moved, target: 'r2', rollout: all, now: NOW }), moved, all);
    if (!tail) throw new Error('no tail');
    reportedMember(tail, memberCluster('a'), seen('r2', 'Running'), undefined);
    expect(replan(tail, NOW, false)?.status).toMatchObject({ state: 'Progressing', updated: 1, pending: 1 });
    reportedMember(tail, memberCluster('b'), seen('r2', 'Running'), undefined);
    const plan = replan(tail, NOW, false);
    expect(plan?.status).toMatchObject({ state: 'Complete', updated: 2, pending: 0 });
    expect([...(plan?.pins.values() ?? [])]).toEqual(['r2', 'r2']);
  });

  it('halts the rollout when a member reports not Running past its deadline', () => {
    const moved = [member('a', 'r2'), member('b', 'r2')];
    const tail = rolloutTail(planRollout({ members: moved, target: 'r2', rollout: all, now: NOW }), moved, all);
    if (!tail) throw new Error('no tail');
    reportedMember(tail, memberCluster('a'), seen('r2', 'Failed'), undefined);
    const later = new Date(NOW.getTime() + 20 * 60_000);
    expect(replan(tail, later, false)?.status).toMatchObject({ state: 'Halted' });
  });

  it('leaves a member reporting another revision than the one applied to a full pass', () => {
    const moved = [member('a', 'r2'), member('b', 'r2')];
    const tail = rolloutTail(planRollout({ members: moved, target: 'r2', rollout: all, now: NOW }), moved, all);
    if (!tail) throw new Error('no tail');
    reportedMember(tail, memberCluster('b'), seen('r1', 'Running'), undefined);
    expect(replan(tail, NOW, false)).toBeUndefined();
  });
});
