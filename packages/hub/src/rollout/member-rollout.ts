import {
  ANNOTATIONS,
  disallowedImages,
  type FieldError,
  type MemberCluster,
  type MemberEntry,
  type PrometheusCluster,
  type PrometheusReplica,
} from '@promfleet/api';
import { findCondition, type ConditionUpdate } from '@promfleet/kube/status';

import type { Reachability } from '../fanout/member-entry.ts';
import type { RolloutMember, RolloutPlan } from './planner.ts';

export const ROLLOUT_CONDITION = 'RolloutProgressing';

/** What the hub sees of a member before it changes anything there. */
export interface ObservedMember {
  readonly reachability: Reachability;
  readonly cacheSynced: boolean;
  readonly replica: PrometheusReplica | undefined;
  /** The replica exists and is not this PrometheusCluster's. */
  readonly conflict: boolean;
}

/**
 * A member as the planner sees it. Its pin is its replica's (the source of truth, like a pod's
 * controller-revision-hash), else what the status recorded (a replica deleted by hand goes back to
 * its revision); it is available when its replica is Running with the operator caught up with the
 * spec of that revision.
 */
export function rolloutMember(member: MemberCluster, observed: ObservedMember, previous: MemberEntry | undefined, blocked?: string): RolloutMember {
  const { replica } = observed;
  const annotations = replica?.metadata.annotations ?? {};
  const revision = annotations[ANNOTATIONS.revision] ?? previous?.revision;
  const time = annotations[ANNOTATIONS.revisionTime];
  const since = time === undefined ? undefined : new Date(time);
  const caughtUp = replica?.status?.observedGeneration !== undefined && replica.status.observedGeneration === replica.metadata.generation;
  const available = caughtUp && replica.status?.phase === 'Running' && annotations[ANNOTATIONS.revision] === revision;
  const ready = findCondition(replica?.status?.conditions, 'Ready');
  return {
    name: member.metadata.name,
    labels: member.metadata.labels ?? {},
    revision,
    online: observed.reachability.state === 'ready' && observed.cacheSynced && !observed.conflict,
    available,
    since: since && !Number.isNaN(since.getTime()) ? since : undefined,
    message: replica?.status?.phase === 'Running' ? undefined : [replica?.status?.phase, ready?.message].filter(Boolean).join(': ') || undefined,
    ...(blocked !== undefined ? { blocked } : {}),
  };
}

/** The generation a replica's spec came from, kept while the member stays on an older revision. */
export function sourceGenerationOf(replica: PrometheusReplica | undefined): number {
  const value = Number(replica?.metadata.annotations?.[ANNOTATIONS.sourceGeneration]);
  return Number.isInteger(value) ? value : 0;
}

/** Images outside the allow-list in the base spec and in every override. */
export function refusedImages(spec: PrometheusCluster['spec'], allowedPrefixes: readonly string[]): FieldError[] {
  const overrides = (spec.overrides ?? []).flatMap((override, index) =>
    override.template.images === undefined
      ? []
      : disallowedImages(override.template.images as Parameters<typeof disallowedImages>[0], allowedPrefixes).map((error) => ({
          ...error,
          path: error.path.replace(/^spec\./, `spec.overrides[${String(index)}].template.`),
        })),
  );
  return [...disallowedImages(spec.images, allowedPrefixes), ...overrides];
}

/** RolloutProgressing from the rollout's state: False when halted (a Warning Event then), Unknown while paused. */
export function rolloutCondition(plan: RolloutPlan): ConditionUpdate {
  const { state, message = '' } = plan.status;
  const type = ROLLOUT_CONDITION;
  switch (state) {
    case 'Halted':
      return { type, status: 'False', reason: 'ProgressDeadlineExceeded', message: plan.halted?.message ?? message };
    case 'Paused':
      return { type, status: 'Unknown', reason: 'RolloutPaused', message };
    case 'Complete':
      return { type, status: 'True', reason: 'RolloutComplete', message };
    case 'Progressing':
      return { type, status: 'True', reason: 'RolloutProgressing', message };
  }
}
