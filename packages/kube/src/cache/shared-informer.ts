import type { KubeObject, ObjectKey } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';

export interface InformerHandler<T> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  /** Called with the last state the cache had. */
  onDelete?(object: T): void;
}

/**
 * What the Manager and controllers need of any cache, whatever kind it holds: its lifecycle and
 * whether it has synced. Not generic, so caches of different kinds go in one list.
 */
export interface Cache {
  /** Which cluster and resource, for readiness messages and logs. */
  readonly resource: { readonly client: { readonly cluster: string }; readonly type: { readonly plural: string } };
  readonly hasSynced: boolean;
  start(): void;
  /** Resolves once the cache holds its first complete view; rejects if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What reconcilers read from a cache: objects, indexes, change notifications. An Informer is one
 * list+watch; a MultiNamespaceInformer is one per namespace behind the same face; PolledObjects
 * reads named objects with GET for kinds that may not be listed.
 */
export interface SharedInformer<T extends KubeObject> extends Cache {
  readonly resource: ResourceClient<T>;
  get(key: ObjectKey): T | undefined;
  list(): T[];
  byIndex(index: string, value: string): T[];
  /** Adds a handler; once synced, it first receives every cached object as an add. */
  addHandler(handler: InformerHandler<T>): void;
}
