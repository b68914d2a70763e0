import type { MemberCluster, MemberEntry, PrometheusReplica, Rollout } from '@promfleet/api';

import type { Reachability } from '../fanout/member-entry.ts';
import { rolloutMember } from './member-rollout.ts';
import { planRollout, type RolloutMember, type RolloutPlan } from './planner.ts';

/**
 * A rollout with nobody left to move: every member is pinned to the target revision and runs a
 * replica of it, and the pass that found this had nothing to retry. From here the replicas'
 * reports alone move the plan along (a member turning Running completes it, one past its deadline
 * halts it) and no pin can change, so a member's status change is taken in by planning again from
 * what the pass saw and that member's new replica — no pass over every member. A new
 * PrometheusCluster's rollout spends its whole life here once its replicas are created.
 */
export interface RolloutTail {
  readonly target: string;
  readonly rollout: Rollout;
  /** What the planner sees of each member: as the pass left it, then as each report changed it. */
  readonly members: Map<string, RolloutMember>;
}

/** The tail of `plan`, if it is in one: `members` are the planner's view after the pass's applies. */
export function rolloutTail(plan: RolloutPlan | undefined, members: readonly RolloutMember[], rollout: Rollout): RolloutTail | undefined {
  const target = plan?.status.targetRevision;
  if (!plan || target === undefined || plan.status.state === 'Complete') return undefined;
  const moved = (member: RolloutMember) => plan.pins.get(member.name) === target && member.revision === target && member.blocked === undefined;
  if (!members.every(moved)) return undefined;
  return { target, rollout, members: new Map(members.map((member) => [member.name, member])) };
}

/** What a member's replica report changes in the planner's view of it (its reachability is the pass's: a change there is a full pass). */
export function reportedMember(
  tail: RolloutTail,
  member: MemberCluster,
  seen: { readonly reachability: Reachability; readonly cacheSynced: boolean; readonly replica: PrometheusReplica | undefined },
  previous: MemberEntry | undefined,
): void {
  tail.members.set(member.metadata.name, rolloutMember(member, { ...seen, conflict: false }, previous));
}

/**
 * The plan again, from the tail's members. Undefined when it would pin a member anywhere but the
 * target — a replica reporting another revision than the pass applied — which is a full pass's work.
 */
export function replan(tail: RolloutTail, now: Date, completed: boolean): RolloutPlan | undefined {
  const members = [...tail.members.values()];
  if (members.some((member) => member.revision !== tail.target)) return undefined;
  return planRollout({ members, target: tail.target, rollout: tail.rollout, now, completed });
}
