import type { PrometheusReplica } from '@promfleet/api';
import { formatDuration } from '@promfleet/kube/flags';

/** `--member-no-operator-after`: how long a replica may go unreconciled before its entry says NoOperator. */
export const DEFAULT_NO_OPERATOR_AFTER = '2m';

/**
 * When a replica that no operator has reconciled stops counting as "being picked up": its
 * creation plus `waitMs`. Any operator that reconciles a replica once writes a status with
 * `observedGeneration` (even for invalid input), so one without it after that long has no
 * operator: none runs in the member, or the one that runs does not watch the namespace. Undefined
 * once reconciled, and when the creation time cannot be read (what a member reports is
 * untrusted: an unreadable time waits, it never judges early). Measured by the hub's clock
 * against the member's creationTimestamp: clocks are assumed in sync, as Kubernetes assumes.
 */
export function noOperatorDeadline(replica: PrometheusReplica | undefined, waitMs: number): Date | undefined {
  if (!replica || replica.status?.observedGeneration !== undefined) return undefined;
  const created = Date.parse(replica.metadata.creationTimestamp ?? '');
  return Number.isFinite(created) ? new Date(created + waitMs) : undefined;
}

/** Why the entry of `member` is NoOperator at `now`, or undefined while its replica may still be picked up. */
export function noOperatorMessage(replica: PrometheusReplica | undefined, member: string, now: Date, waitMs: number): string | undefined {
  const deadline = noOperatorDeadline(replica, waitMs);
  if (!replica || !deadline || now.getTime() < deadline.getTime()) return undefined;
  const namespace = replica.metadata.namespace ?? '';
  return (
    `no replica operator has reconciled PrometheusReplica ${namespace}/${replica.metadata.name} within ${formatDuration(waitMs)} of its creation: ` +
    `is promfleet-replica-operator running in ${member}, and does its --watch-namespaces (chart value watchNamespaces) include ${namespace}?`
  );
}
