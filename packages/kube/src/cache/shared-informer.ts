import type { KubeObject, ObjectKey } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';

export interface InformerHandler<T> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  /** Called with the last state the cache had. */
  onDelete?(object: T): void;
}

/**
 * What controllers and the Manager need of a cache: reads, change notifications, a lifecycle.
 * An Informer is one list+watch; a MultiNamespaceInformer is one per namespace behind the same
 * face; PolledObjects reads named objects with GET for kinds that may not be listed.
 */
export interface SharedInformer<T extends KubeObject> {
  readonly resource: ResourceClient<T>;
  readonly hasSynced: boolean;
  get(key: ObjectKey): T | undefined;
  list(): T[];
  byIndex(index: string, value: string): T[];
  /** Adds a handler; once synced, it first receives every cached object as an add. */
  addHandler(handler: InformerHandler<T>): void;
  start(): void;
  /** Resolves once the cache holds its first complete view; rejects if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}
