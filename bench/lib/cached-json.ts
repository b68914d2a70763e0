import type { KubeObject, ListOptions, ResourceClient } from '@promfleet/kube/client';

/**
 * The JSON size of what a controller's cache holds for one resource: every object as listed,
 * without managedFields (the kit's informers drop them).
 */
export async function cachedJSONBytes<T extends KubeObject>(
  resources: ResourceClient<T>,
  options: Omit<ListOptions, 'continue' | 'limit'> = {},
): Promise<{ objects: number; bytes: number }> {
  const { items } = await resources.listAll(options);
  let bytes = 0;
  for (const item of items) {
    const { managedFields: _dropped, ...metadata } = item.metadata ?? {};
    bytes += Buffer.byteLength(JSON.stringify({ ...item, metadata }));
  }
  return { objects: items.length, bytes };
}
