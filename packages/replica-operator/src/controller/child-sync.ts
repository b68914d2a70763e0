import type { PrometheusReplica } from '@promfleet/api';
import type { Applier } from '@promfleet/kube/apply';
import type { SharedInformer } from '@promfleet/kube/cache';
import { errorMessage, objectKey, type KubeObject, type ResourceClient } from '@promfleet/kube/client';

import type { DesiredChildren } from '../builders/children.ts';

/** One kind of child: where it lives, its cache, which desired objects are of it, and (optionally) how to apply one. */
export interface ChildKind<T extends KubeObject = KubeObject> {
  readonly resources: ResourceClient<T>;
  readonly cache: SharedInformer<T>;
  readonly desired: (children: DesiredChildren) => readonly T[];
  readonly apply?: (replica: PrometheusReplica, desired: T, live: T | undefined) => Promise<{ changed: string | undefined }>;
}

export interface SyncResult {
  /** `Kind/name` of every child written or deleted. */
  readonly changed: string[];
  /** `Kind/name: error` of every child that could not be applied or deleted. */
  readonly errors: string[];
}

/**
 * Applies every desired child and deletes owned children no longer desired, kind by kind
 * (ConfigMaps before the workloads that mount them). Each child is on its own: one the API
 * server refuses is reported, and every other child is still applied.
 */
export async function syncChildren(replica: PrometheusReplica, children: DesiredChildren, kinds: readonly ChildKind[], applier: Applier): Promise<SyncResult> {
  const changed: string[] = [];
  const errors: string[] = [];
  const uid = replica.metadata.uid ?? '';
  const attempt = async (what: string, action: () => Promise<string | undefined>) => {
    try {
      const change = await action();
      if (change !== undefined) changed.push(change);
    } catch (error) {
      errors.push(`${what}: ${errorMessage(error)}`);
    }
  };
  for (const kind of kinds) {
    const { resources, cache } = kind;
    const label = (name: string | undefined) => `${resources.type.kind}/${name ?? ''}`;
    const wanted = kind.desired(children);
    await Promise.all(
      wanted.map((object) =>
        attempt(label(object.metadata?.name), async () => {
          const live = cache.get(objectKey(object));
          if (kind.apply) return (await kind.apply(replica, object, live)).changed;
          return (await applier.apply(resources, object, live)).changed ? label(object.metadata?.name) : undefined;
        }),
      ),
    );
    const names = new Set(wanted.map((object) => object.metadata?.name));
    const stale = cache.byIndex('owner', uid).filter((object) => object.metadata?.name !== undefined && !names.has(object.metadata.name));
    await Promise.all(
      stale.map((object) =>
        attempt(label(object.metadata?.name), async () => {
          const { name = '', namespace } = object.metadata ?? {};
          await resources.delete(name, namespace, { preconditions: { uid: object.metadata?.uid ?? '' }, propagationPolicy: 'Background' });
          return `${label(name)} (deleted)`;
        }),
      ),
    );
  }
  return { changed, errors };
}
