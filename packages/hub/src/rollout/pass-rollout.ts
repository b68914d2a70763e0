import type { MemberCluster, MemberEntry, MemberTemplate, PrometheusCluster, PrometheusReplica } from '@promfleet/api';

import { rolloutMember, type ObservedMember } from './member-rollout.ts';
import { templateFor, templateProblem, type RevisionLookup } from './member-spec.ts';
import { planRollout, type RolloutPlan } from './planner.ts';
import type { EnsuredRevision, Revisions } from './revisions.ts';
import { rolloutTail, type RolloutTail } from './rollout-tail.ts';

/** The rollout's word in a full pass: which revision each member is to run, and how to read those revisions. */
export interface PassRollout {
  readonly plan: RolloutPlan;
  readonly lookup: RevisionLookup;
  /** By member: the target revision merged for it, made once a pass (the plan needs it, and so do the applies). */
  readonly targetTemplates: ReadonlyMap<string, MemberTemplate>;
}

/** Why the target revision cannot be merged for a member: it stays where it is, the others go on. */
export function blockedBy(targetTemplate: MemberTemplate | undefined): string | undefined {
  return targetTemplate && templateProblem(targetTemplate);
}

export interface ObservedSelection {
  readonly member: MemberCluster;
  readonly seen: ObservedMember;
}

/** Plans the rollout of the spec's revision (`target`, kept as a ControllerRevision: Revisions.ensure) over the selected members, from what the hub sees of them. */
export function passRollout(
  revisions: Revisions,
  target: EnsuredRevision,
  live: PrometheusCluster,
  cluster: PrometheusCluster,
  observed: readonly ObservedSelection[],
  previous: ReadonlyMap<string, MemberEntry>,
  now: Date,
): PassRollout {
  const targetTemplates = new Map(observed.map(({ member }) => [member.metadata.name, templateFor(target.data, member)]));
  const plan = planRollout({
    members: observed.map(({ member, seen }) => {
      const name = member.metadata.name;
      return rolloutMember(member, seen, previous.get(name), blockedBy(targetTemplates.get(name)));
    }),
    target: target.name,
    rollout: cluster.spec.rollout,
    now,
    completed: completedBefore(live, target.name),
  });
  const namespace = cluster.metadata.namespace ?? '';
  const lookup: RevisionLookup = (name) => (name === target.name ? { ok: true, data: target.data } : revisions.get(namespace, name));
  return { plan, lookup, targetTemplates };
}

/** The rollout's tail, if the pass's applies left nobody to move: `replicas` are the members' replicas after them. */
export function tailAfterPass(
  rollout: PassRollout,
  cluster: PrometheusCluster,
  observed: readonly ObservedSelection[],
  replicas: readonly (PrometheusReplica | undefined)[],
  previous: ReadonlyMap<string, MemberEntry>,
): RolloutTail | undefined {
  const members = observed.map(({ member, seen }, i) => {
    const name = member.metadata.name;
    return rolloutMember(member, { ...seen, replica: replicas[i] }, previous.get(name), blockedBy(rollout.targetTemplates.get(name)));
  });
  return rolloutTail(rollout.plan, members, cluster.spec.rollout);
}

/** The last status said the rollout of `target` completed: done stays done. */
export function completedBefore(live: PrometheusCluster, target: string): boolean {
  return live.status?.rollout?.state === 'Complete' && live.status.rollout.targetRevision === target;
}
