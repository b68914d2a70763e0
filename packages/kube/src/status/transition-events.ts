import type { Condition } from '@promfleet/api';
import { findCondition } from './conditions.ts';

export interface EventToRecord {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/**
 * Events for condition transitions, so `kubectl describe` tells the story without noise: a
 * problem appearing is a Warning, a recovery or reaching Ready is Normal, and a replica that is
 * merely still starting emits nothing.
 */
export function transitionEvents(before: readonly Condition[] | undefined, after: readonly Condition[], readyType = 'Ready'): EventToRecord[] {
  const events: EventToRecord[] = [];
  for (const condition of after) {
    const previous = findCondition(before, condition.type);
    if (previous?.status === condition.status && previous.reason === condition.reason && previous.message === condition.message) continue;
    const event = { reason: condition.reason, message: condition.message };
    if (condition.status === 'True') {
      if (condition.type === readyType || previous?.status === 'False') events.push({ type: 'Normal', ...event });
    } else if (condition.status === 'False') {
      const stillStarting = condition.type === readyType && previous?.status !== 'True';
      if (!stillStarting) events.push({ type: 'Warning', ...event });
    }
  }
  return events;
}
