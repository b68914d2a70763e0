import { ANNOTATIONS, type MemberCluster, type MemberTemplate, type PrometheusCluster } from '@promfleet/api';
import type { Applier } from '@promfleet/kube/apply';
import { errorMessage, isConnectionError, withoutManagedFields } from '@promfleet/kube/client';
import { statusOnlyChange } from '@promfleet/kube/controller';
import type { EventRecorder } from '@promfleet/kube/status';
import pLimit from 'p-limit';
import { setImmediate } from 'node:timers/promises';

import type { MemberRegistry } from '../members/member-registry.ts';
import { sourceGenerationOf, type ObservedMember } from '../rollout/member-rollout.ts';
import { pinnedTemplate, templateProblem, type RevisionLookup } from '../rollout/member-spec.ts';
import { blockedBy, type ObservedSelection, type PassRollout } from '../rollout/pass-rollout.ts';
import type { RolloutPlan } from '../rollout/planner.ts';
import { desiredReplica } from './desired-replica.ts';
import type { MemberView } from './member-entry.ts';
import { removeReplica } from './replica-removal.ts';

export interface MemberSyncDeps {
  readonly registry: MemberRegistry;
  /** The hub's applier: its field manager and hash annotation. */
  readonly applier: Applier;
}

/** The rollout's word on a member (its plan, revisions and the target merged for it, valid or not), or why nothing may be applied. */
export type RolloutInput = { plan: RolloutPlan; lookup: RevisionLookup; targetTemplate: MemberTemplate | undefined } | string;

/**
 * Applies the member's pinned revision, merged for it, in one member (when it can, and nothing
 * holds it) and reports what the hub sees there. A merged spec the schema refuses is that
 * member's error; the others go on.
 */
export async function syncMember(
  { registry, applier }: MemberSyncDeps,
  cluster: PrometheusCluster,
  member: MemberCluster,
  observed: ObservedMember,
  rollout: RolloutInput,
): Promise<MemberView> {
  // A pass over a thousand members whose replicas need no apply never awaits I/O: let timers and
  // sockets in between members, or the Lease renewal starves and the hub loses its leadership.
  await setImmediate();
  const name = member.metadata.name;
  const connection = registry.get(name);
  const view = { name, ...observed, conflict: false, applyError: undefined };
  if (!connection || observed.reachability.state !== 'ready' || !view.cacheSynced) return view;
  if (observed.conflict) return { ...view, conflict: true };
  if (typeof rollout === 'string') return { ...view, held: rollout };
  const target = rollout.plan.status.targetRevision ?? '';
  const pinned = pinnedTemplate(rollout.lookup, rollout.plan.pins.get(name) ?? target, target, member, rollout.targetTemplate);
  const { revision } = pinned;
  if ('problem' in pinned) return { ...view, revision, applyError: pinned.problem };
  const merged = pinned.template;
  const pin = { revision, overrides: merged.overrides };
  const problem = templateProblem(merged);
  if (!merged.ok || problem) return { ...view, ...pin, applyError: problem };
  const annotations = view.replica?.metadata.annotations ?? {};
  const since = annotations[ANNOTATIONS.revision] === revision ? (annotations[ANNOTATIONS.revisionTime] ?? new Date().toISOString()) : new Date().toISOString();
  const sourceGeneration = revision === target ? (cluster.metadata.generation ?? 0) : sourceGenerationOf(view.replica);
  try {
    const desired = desiredReplica(cluster, member, { template: merged.template, revision, since, sourceGeneration });
    const applied = await applier.apply(connection.resources, desired, view.replica);
    // Still running its revision, but the newest cannot be merged for it: the member's error.
    const targetProblem = blockedBy(rollout.targetTemplate);
    const blocked = targetProblem === undefined || revision === target ? undefined : `${targetProblem}; keeps running revision ${revision}`;
    // A new generation is news for the member's operator, whose report on it the status write waits for (report-wait.ts).
    const generation = applied.object.metadata.generation;
    const expectedGeneration = applied.changed && generation !== view.replica?.metadata.generation ? generation : undefined;
    // Kept in the aggregate until the cache's copy replaces it: without the managedFields it does not need.
    return { ...view, ...pin, replica: withoutManagedFields(applied.object), applyError: blocked, expectedGeneration };
  } catch (error) {
    const applyError = isConnectionError(error) ? `member unreachable: ${error.message}` : errorMessage(error);
    return { ...view, ...pin, applyError, applyFailed: true };
  }
}

export interface FanOutDeps extends MemberSyncDeps {
  readonly events: EventRecorder;
  /** Members handled at once. */
  readonly concurrency: number;
}

export interface FanOutResult {
  readonly views: MemberView[];
  /** Deselected members whose replica could not be removed, with why. */
  readonly unremoved: string[];
}

/**
 * One full pass's work in the members: syncs every selected member and, unless the spec is held
 * (`rollout` is then why), removes the replica from every connected member no longer selected.
 */
export async function syncFanOut(
  deps: FanOutDeps,
  cluster: PrometheusCluster,
  observed: readonly ObservedSelection[],
  rollout: PassRollout | string,
): Promise<FanOutResult> {
  const held = typeof rollout === 'string';
  const limit = pLimit(deps.concurrency);
  const selected = new Set(observed.map(({ member }) => member.metadata.name));
  const orphan = cluster.spec.deletionPolicy === 'Orphan';
  const [views, removals] = await Promise.all([
    Promise.all(
      observed.map(({ member, seen }) =>
        limit(() => {
          const name = member.metadata.name;
          const input = held ? rollout : { plan: rollout.plan, lookup: rollout.lookup, targetTemplate: rollout.targetTemplates.get(name) };
          return syncMember(deps, cluster, member, seen, input);
        }),
      ),
    ),
    Promise.all(
      deps.registry
        .all()
        .filter((connection) => !held && !selected.has(connection.name))
        .map((connection) => limit(() => removeReplica(connection, cluster, orphan, deps.events))),
    ),
  ]);
  return {
    views: views.map((view) => withReportsSince(deps.registry, cluster, view)),
    unremoved: removals.filter((left): left is string => left !== undefined),
  };
}

/**
 * The member's replica as its cache holds it now, if the operator has only reported on it since
 * the pass applied or read it: the reports that came in during a fan-out go out with the pass's
 * own status write, not in a second write right after it. A replica changed in any other way is
 * left to the change's own reconcile.
 */
function withReportsSince(registry: MemberRegistry, cluster: PrometheusCluster, view: MemberView): MemberView {
  const seen = view.replica;
  const connection = registry.get(view.name);
  if (!seen || !connection) return view;
  const cached = connection.replicas.get(`${connection.namespace}/${cluster.metadata.name}`);
  if (!cached || cached === seen) return view;
  return cached.metadata.resourceVersion === seen.metadata.resourceVersion || statusOnlyChange(seen, cached) ? { ...view, replica: cached } : view;
}
