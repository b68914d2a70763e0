import { splitKey, type KubeObject, type ObjectKey } from '../client/objects.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import { Informer, type InformerOptions } from './informer.ts';
import type { InformerHandler, SharedInformer } from './shared-informer.ts';

/**
 * One informer per namespace behind one cache, as controller-runtime's multi-namespace cache:
 * a controller whose rights are Roles in a few namespaces cannot list across all of them, so it
 * lists and watches each on its own. Reads go to the namespace's informer; `list` and `byIndex`
 * merge them.
 */
export class MultiNamespaceInformer<T extends KubeObject> implements SharedInformer<T> {
  readonly resource: ResourceClient<T>;
  readonly #informers: ReadonlyMap<string, Informer<T>>;

  constructor(resource: ResourceClient<T>, namespaces: readonly string[], options: Omit<InformerOptions<T>, 'namespace'> = {}) {
    if (namespaces.length === 0) throw new Error('MultiNamespaceInformer needs at least one namespace');
    this.resource = resource;
    this.#informers = new Map([...new Set(namespaces)].map((namespace) => [namespace, new Informer(resource, { ...options, namespace })]));
  }

  get hasSynced(): boolean {
    return [...this.#informers.values()].every((informer) => informer.hasSynced);
  }

  get namespaces(): string[] {
    return [...this.#informers.keys()];
  }

  get(key: ObjectKey): T | undefined {
    const { namespace } = splitKey(key);
    return namespace === undefined ? undefined : this.#informers.get(namespace)?.get(key);
  }

  list(): T[] {
    return [...this.#informers.values()].flatMap((informer) => informer.list());
  }

  byIndex(index: string, value: string): T[] {
    return [...this.#informers.values()].flatMap((informer) => informer.byIndex(index, value));
  }

  addHandler(handler: InformerHandler<T>): void {
    for (const informer of this.#informers.values()) informer.addHandler(handler);
  }

  start(): void {
    for (const informer of this.#informers.values()) informer.start();
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }
}

/**
 * The cache for a set of namespaces: one informer across all of them when `namespaces` is empty
 * (cluster-wide rights), a plain namespaced informer for one, a MultiNamespaceInformer for more.
 */
export function namespacedInformer<T extends KubeObject>(
  resource: ResourceClient<T>,
  namespaces: readonly string[],
  options: Omit<InformerOptions<T>, 'namespace'> = {},
): SharedInformer<T> {
  const [only] = namespaces;
  if (only === undefined) return new Informer(resource, options);
  if (new Set(namespaces).size === 1) return new Informer(resource, { ...options, namespace: only });
  return new MultiNamespaceInformer(resource, namespaces, options);
}
