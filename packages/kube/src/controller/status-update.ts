import type { Applier, ApplyResult } from '../apply/applier.ts';
import type { KubeObject } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import type { Condition } from '../status/conditions.ts';
import type { EventRecorder } from '../status/events.ts';
import { transitionEvents, type TransitionEventOptions } from '../status/transition-events.ts';

type WithConditions = KubeObject & { status?: { conditions?: readonly Condition[] | undefined } | undefined };

export interface StatusUpdate<T extends WithConditions> {
  readonly applier: Applier;
  readonly resources: ResourceClient<T>;
  readonly events: EventRecorder;
  /** Which transitions are news (see transitionEvents). */
  readonly transitions?: TransitionEventOptions;
}

/**
 * The end of a reconcile: applies the status when it differs from the live one, then records an
 * Event for each condition transition it made — none when nothing changed, so a steady object
 * costs no write and no Event.
 */
export async function updateStatus<T extends WithConditions>(live: T, status: NonNullable<T['status']>, update: StatusUpdate<T>): Promise<ApplyResult<T>> {
  const written = await update.applier.applyStatus(update.resources, live, status);
  if (written.changed) {
    for (const event of transitionEvents(live.status?.conditions, status.conditions ?? [], update.transitions))
      await update.events.record(live, event.type, event.reason, event.message);
  }
  return written;
}
