import type { KubeObject } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import type { EventRecorder } from '../status/events.ts';
import { hasFinalizer, removeFinalizer } from '../status/finalizers.ts';
import type { ReconcileResult } from './controller.ts';

export interface BoundedFinalizer<T extends KubeObject> {
  readonly resources: ResourceClient<T>;
  readonly finalizer: string;
  readonly events: EventRecorder;
  /** How long after the deletion request the clean-up is retried before the object is let go. */
  readonly timeoutMs: number;
  readonly retryMs: number;
  /** Cleans up what the object holds; returns what is left (could not be removed), one line each. */
  cleanUp(): Promise<readonly string[]>;
  /** The end of the Warning when giving up: what may be left, from `cleanUp`'s lines. */
  leftBehind(left: readonly string[]): string;
  /** Runs once the object is let go, before its finalizer is removed. */
  released?(): Promise<void> | void;
}

/**
 * A finalizer with a bounded wait: cleans up, retries while something is left and the deletion
 * is younger than the timeout, then lets the object go — with a Warning Event naming what may be
 * left — rather than keep it forever for a member that never comes back.
 */
export async function finalizeWithin<T extends KubeObject>(object: T, finalizer: BoundedFinalizer<T>): Promise<ReconcileResult | undefined> {
  if (!hasFinalizer(object, finalizer.finalizer)) return undefined;
  const left = await finalizer.cleanUp();
  const waited = Date.now() - Date.parse(object.metadata?.deletionTimestamp ?? new Date().toISOString());
  if (left.length > 0 && waited < finalizer.timeoutMs) return { requeueAfterMs: finalizer.retryMs };
  if (left.length > 0) {
    await finalizer.events.record(object, 'Warning', 'DeletionTimedOut', `gave up after ${String(Math.round(waited / 1000))}s; ${finalizer.leftBehind(left)}`);
  }
  await finalizer.released?.();
  await removeFinalizer(finalizer.resources, object, finalizer.finalizer);
  return undefined;
}
