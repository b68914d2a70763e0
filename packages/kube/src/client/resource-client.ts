import type { KubeClient } from './kube-client.ts';
import { isNotFound } from './errors.ts';
import type { KubeList, KubeObject, Status } from './objects.ts';
import { apiVersionOf, resourcePath, type ResourceType } from './resource-types.ts';
import { watchEvents, type WatchEvent } from './watch.ts';

export type PatchType = 'merge' | 'json' | 'strategic';

/** An object to write: apiVersion and kind are filled in from the resource type. */
export type Writable<T extends KubeObject> = Omit<T, 'apiVersion' | 'kind'> & { apiVersion?: string | undefined; kind?: string | undefined };

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface ListOptions {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly limit?: number;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  readonly resourceVersion: string;
  /** The server ends the watch after this long; clients re-watch from the last resourceVersion. */
  readonly timeoutSeconds: number;
  /** The stream fails when no bytes arrive for this long. */
  readonly silenceMs: number;
}

export interface WriteOptions {
  readonly fieldManager?: string;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

/** Typed CRUD, apply and watch for one resource type on one cluster. */
export class ResourceClient<T extends KubeObject> {
  readonly client: KubeClient;
  readonly type: ResourceType<T>;

  constructor(client: KubeClient, type: ResourceType<T>) {
    this.client = client;
    this.type = type;
  }

  /** The object, or undefined when it does not exist. */
  async get(name: string, namespace?: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T | undefined> {
    try {
      return await this.client.request<T>({ verb: 'get', method: 'GET', resource: this.type.plural, path: this.#path(namespace, name), ...options });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(options: ListOptions = {}): Promise<KubeList<T>> {
    return this.client.request<KubeList<T>>({
      verb: 'list',
      resource: this.type.plural,
      method: 'GET',
      path: this.#path(options.namespace),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Every page of a list, and the resourceVersion to watch from. */
  async listAll(options: Omit<ListOptions, 'continue' | 'limit'> & { pageSize?: number } = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.list({ ...options, limit: options.pageSize ?? 500, continue: token });
      items.push(...page.items);
      const next = page.metadata?.continue;
      token = next === '' ? undefined : next;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (token !== undefined);
    return { items, resourceVersion };
  }

  async watch(options: WatchOptions): Promise<AsyncGenerator<WatchEvent<T>>> {
    const path = this.#path(options.namespace);
    const chunks = await this.client.stream(
      {
        verb: 'watch',
        resource: this.type.plural,
        method: 'GET',
        path,
        query: {
          watch: true,
          allowWatchBookmarks: true,
          resourceVersion: options.resourceVersion,
          timeoutSeconds: options.timeoutSeconds,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      options.silenceMs,
    );
    return watchEvents<T>(this.client.cluster, chunks, `watch ${path}`, this.client.maxWatchEventBytes);
  }

  async create(object: Writable<T>, options: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      verb: 'create',
      resource: this.type.plural,
      method: 'POST',
      path: this.#path(object.metadata?.namespace),
      query: writeQuery(options),
      body: this.#typed(object),
      ...requestOptions(options),
    });
  }

  /** PUT: replaces the object; its metadata.resourceVersion makes it a compare-and-swap. */
  async replace(object: Writable<T>, options: WriteOptions & { subresource?: string } = {}): Promise<T> {
    return this.client.request<T>({
      verb: 'update',
      resource: this.type.plural,
      method: 'PUT',
      path: this.#path(object.metadata?.namespace, object.metadata?.name, options.subresource),
      query: writeQuery(options),
      body: this.#typed(object),
      ...requestOptions(options),
    });
  }

  async patch(
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: WriteOptions & { type?: PatchType; subresource?: string } = {},
  ): Promise<T> {
    return this.client.request<T>({
      verb: 'patch',
      resource: this.type.plural,
      method: 'PATCH',
      path: this.#path(namespace, name, options.subresource),
      query: writeQuery(options),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.type ?? 'merge'],
      ...requestOptions(options),
    });
  }

  /** Server-side apply of `object` (JSON is YAML) as `fieldManager`, taking over conflicting fields when `force`. */
  async apply(object: Writable<T>, options: WriteOptions & { fieldManager: string; force?: boolean; subresource?: string }): Promise<T> {
    const { name, namespace } = object.metadata ?? {};
    if (!name) throw new Error(`apply ${this.type.kind}: metadata.name is required`);
    return this.client.request<T>({
      verb: 'apply',
      resource: this.type.plural,
      method: 'PATCH',
      path: this.#path(namespace, name, options.subresource),
      query: { ...writeQuery(options), force: options.force ?? false },
      body: this.#typed(object),
      contentType: 'application/apply-patch+yaml',
      ...requestOptions(options),
    });
  }

  /** Deletes the object; false when it was already gone. */
  async delete(name: string, namespace?: string, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.client.request<Status>({
        verb: 'delete',
        resource: this.type.plural,
        method: 'DELETE',
        path: this.#path(namespace, name),
        query: { dryRun: options.dryRun ? 'All' : undefined },
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
          ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
          ...(options.preconditions ? { preconditions: options.preconditions } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  #typed(object: Writable<T>): T {
    return { ...object, apiVersion: apiVersionOf(this.type), kind: this.type.kind } as T;
  }

  #path(namespace?: string, name?: string, subresource?: string): string {
    if (this.type.namespaced && name !== undefined && !namespace) {
      throw new Error(`${this.type.kind} ${name}: a namespace is required`);
    }
    return resourcePath(this.type, this.type.namespaced ? namespace : undefined, name, subresource);
  }
}

function writeQuery(options: WriteOptions): Record<string, string | undefined> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

function requestOptions(options: WriteOptions): { signal?: AbortSignal; timeoutMs?: number } {
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
}
