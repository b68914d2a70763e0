export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition, as Kubernetes API conventions define it. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number | undefined;
}

export interface ConditionUpdate {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/**
 * Sets one condition in a list, returning a new list. `lastTransitionTime` moves only when the
 * status changes, so a condition that keeps its status keeps its age (API conventions).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === update.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: truncate(update.message),
    lastTransitionTime: previous?.status === update.status ? previous.lastTransitionTime : rfc3339(now),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** Sets several conditions at once, in order. */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  return updates.reduce<Condition[]>((list, update) => setCondition(list, update, observedGeneration, now), [...(conditions ?? [])]);
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((condition) => condition.type !== type);
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Conditions whose status, reason or message differ between the two lists, by type. */
export function changedConditions(before: readonly Condition[] | undefined, after: readonly Condition[]): Condition[] {
  return after.filter((condition) => {
    const old = findCondition(before, condition.type);
    return old?.status !== condition.status || old.reason !== condition.reason || old.message !== condition.message;
  });
}

/** Kubernetes timestamps have second precision. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const MAX_MESSAGE = 32_768;

function truncate(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}
