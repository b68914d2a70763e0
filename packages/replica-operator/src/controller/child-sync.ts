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
  readonly apply?: (replica: PrometheusReplica, desired: T, live: T | undefined) => Promise<{ changed: string | undefined; object: T | undefined }>;
}

export interface SyncResult {
  /** `Kind/name` of every child written or deleted. */
  readonly changed: string[];
  /** `Kind/name: error` of every child that could not be applied or deleted. */
  readonly errors: string[];
  /** Every child as this sync left it (the API server's answer; a deleted one with its deletionTimestamp), by `Kind/name`. */
  readonly written: ReadonlyMap<string, KubeObject>;
}

/**
 * Applies every desired child and deletes owned children no longer desired, kind by kind
 * (ConfigMaps before the workloads that mount them). Each child is on its own: one the API
 * server refuses is reported, and every other child is still applied.
 */
export async function syncChildren(replica: PrometheusReplica, children: DesiredChildren, kinds: readonly ChildKind[], applier: Applier): Promise<SyncResult> {
  const changed: string[] = [];
  const errors: string[] = [];
  const written = new Map<string, KubeObject>();
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
          if (kind.apply) {
            const outcome = await kind.apply(replica, object, live);
            if (outcome.object) written.set(label(object.metadata?.name), outcome.object);
            return outcome.changed;
          }
          const applied = await applier.apply(resources, object, live);
          written.set(label(object.metadata?.name), applied.object);
          return applied.changed ? label(object.metadata?.name) : undefined;
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
          written.set(label(name), markedDeleted(object));
          return `${label(name)} (deleted)`;
        }),
      ),
    );
  }
  return { changed, errors, written };
}

/** A child this reconcile deleted, as the API server holds it until its finalizers are done. */
export function markedDeleted<T extends KubeObject>(object: T): T {
  return { ...object, metadata: { ...object.metadata, deletionTimestamp: object.metadata?.deletionTimestamp ?? new Date().toISOString() } };
}

/**
 * The children of one kind as fresh as this reconcile knows them. Right after a write the cache
 * may still hold the child before it: a StatefulSet at its old generation, which its controller
 * long settled, would report the replica Running at a spec it has not started to roll out (and
 * the hub would move the next member of a rollout). A written copy wins over the cached one when
 * it is newer: a higher generation, or deleted where the cache has it alive.
 */
export function freshest<T extends KubeObject>(cached: readonly T[], kind: string, written: ReadonlyMap<string, KubeObject>): T[] {
  return cached.map((object) => {
    const mine = written.get(`${kind}/${object.metadata?.name ?? ''}`) as T | undefined;
    if (!mine || mine.metadata?.uid !== object.metadata?.uid) return object;
    const newer = (mine.metadata?.generation ?? 0) > (object.metadata?.generation ?? 0);
    const deleted = mine.metadata?.deletionTimestamp !== undefined && object.metadata?.deletionTimestamp === undefined;
    return newer || deleted ? mine : object;
  });
}
