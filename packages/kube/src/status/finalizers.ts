import type { KubeObject } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

/**
 * Adds a finalizer with a merge patch that carries the resourceVersion it was computed from:
 * a concurrent change makes it fail with 409 instead of dropping someone else's finalizer.
 */
export async function addFinalizer<T extends KubeObject>(resources: ResourceClient<T>, object: T, finalizer: string): Promise<T> {
  if (hasFinalizer(object, finalizer)) return object;
  return patchFinalizers(resources, object, [...(object.metadata?.finalizers ?? []), finalizer]);
}

export async function removeFinalizer<T extends KubeObject>(resources: ResourceClient<T>, object: T, finalizer: string): Promise<T> {
  if (!hasFinalizer(object, finalizer)) return object;
  return patchFinalizers(
    resources,
    object,
    (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
  );
}

async function patchFinalizers<T extends KubeObject>(resources: ResourceClient<T>, object: T, finalizers: string[]): Promise<T> {
  const { name, namespace, resourceVersion } = object.metadata ?? {};
  if (!name) throw new Error('cannot patch finalizers of an object without a name');
  return resources.patch(name, namespace, { metadata: { finalizers, resourceVersion } }, { type: 'merge' });
}
