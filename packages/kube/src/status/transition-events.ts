import { findCondition, type Condition } from './conditions.ts';

export interface EventToRecord {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface TransitionEventOptions {
  /** The condition whose becoming True is news (default `Ready`). */
  readonly readyType?: string;
  /**
   * False reasons that are no problem in themselves: "still getting there" (pods starting,
   * members catching up) or the good state of a negative-polarity condition. A Warning only when
   * the ready condition falls back to one from True. Every other False reason is a problem,
   * worth a Warning from the first time it appears.
   */
  readonly benign?: ReadonlySet<string>;
}

/**
 * Events for condition transitions, so `kubectl describe` tells the story without noise: a
 * problem appearing is a Warning (also on an object that was never ready: bad input must say so),
 * a recovery or reaching Ready is Normal, and an object merely progressing emits nothing.
 */
export function transitionEvents(before: readonly Condition[] | undefined, after: readonly Condition[], options: TransitionEventOptions = {}): EventToRecord[] {
  const readyType = options.readyType ?? 'Ready';
  const events: EventToRecord[] = [];
  for (const condition of after) {
    const previous = findCondition(before, condition.type);
    if (previous?.status === condition.status && previous.reason === condition.reason && previous.message === condition.message) continue;
    const event = { reason: condition.reason, message: condition.message };
    if (condition.status === 'True') {
      if (condition.type === readyType || previous?.status === 'False') events.push({ type: 'Normal', ...event });
    } else if (condition.status === 'False') {
      const benign = options.benign?.has(condition.reason) === true;
      const regressed = condition.type === readyType && previous?.status === 'True';
      if (!benign || regressed) events.push({ type: 'Warning', ...event });
    }
  }
  return events;
}
