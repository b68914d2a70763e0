import { semanticEqual } from '../apply/semantic.ts';
import type { KubeObject } from '../client/objects.ts';

/** Whether an update is worth acting on: called with the object before and after it. */
export type UpdatePredicate<T> = (previous: T, object: T) => boolean;

/**
 * The update changed the object's status and nothing else (controller-runtime's
 * GenerationChangedPredicate, plus the metadata a controller reads): the generation (which the API
 * server bumps on every spec change of a resource with a status subresource), labels,
 * annotations, finalizers, owners and deletion are all unchanged. An object without a generation
 * never qualifies: nothing proves its spec stood still.
 */
export function statusOnlyChange(previous: KubeObject, object: KubeObject): boolean {
  const before = previous.metadata;
  const after = object.metadata;
  if (before?.generation === undefined || before.generation !== after?.generation) return false;
  return (
    before.deletionTimestamp === after.deletionTimestamp &&
    semanticEqual(before.labels ?? {}, after.labels ?? {}) &&
    semanticEqual(before.annotations ?? {}, after.annotations ?? {}) &&
    semanticEqual(before.finalizers ?? [], after.finalizers ?? []) &&
    semanticEqual(before.ownerReferences ?? [], after.ownerReferences ?? [])
  );
}

/** Acts on every update except one that changed only the status: for a controller that writes that status itself. */
export const ignoreStatusOnly: UpdatePredicate<KubeObject> = (previous, object) => !statusOnlyChange(previous, object);

/**
 * Like `ignoreStatusOnly`, and also passes over an update that adds `finalizer` and changes
 * nothing else but the status: the echo of the controller's own finalizer patch, which asks for
 * nothing the reconcile that wrote it did not already do. Removing the finalizer still counts.
 */
export function ignoreStatusAndFinalizerAdded(finalizer: string): UpdatePredicate<KubeObject> {
  return (previous, object) => {
    const before = previous.metadata?.finalizers ?? [];
    const after = object.metadata?.finalizers ?? [];
    const added =
      !before.includes(finalizer) &&
      after.includes(finalizer) &&
      semanticEqual(
        after.filter((name) => name !== finalizer),
        before,
      );
    const compared = added ? { ...object, metadata: { ...object.metadata, finalizers: before } } : object;
    return !statusOnlyChange(previous, compared);
  };
}
