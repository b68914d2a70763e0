import { LocalView } from './local-view.ts';
import type { EndpointChange, EndpointSet, EndpointStore } from './store.ts';

/** The default store: the hub's own memory. Each hub replica fills its own from its cache. */
export class MemoryEndpointStore implements EndpointStore {
  readonly #view = new LocalView();
  /** Filled by a first full publish: before it, an empty view would mean "no records" to readers. */
  #loaded = false;

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  put(set: EndpointSet): Promise<void> {
    this.#view.put(set);
    return Promise.resolve();
  }

  remove(namespace: string, name: string): Promise<void> {
    if (this.#view.has(namespace, name)) this.#view.apply({ namespace, name, endpoints: null, seq: this.#view.seq + 1 });
    return Promise.resolve();
  }

  /** Everything at once, as the Redis store reloads: one revision to compute, a snapshot for watchers when it differs. */
  replaceAll(sets: readonly EndpointSet[]): Promise<void> {
    this.#view.reset(this.#view.seq + 1, sets);
    this.#loaded = true;
    return Promise.resolve();
  }

  snapshot() {
    return this.#view.snapshot();
  }

  get(namespace: string, name: string) {
    return this.#view.get(namespace, name);
  }

  changesSince(revision: string): EndpointChange[] | undefined {
    return this.#view.changesSince(revision);
  }

  subscribe(listener: Parameters<LocalView['subscribe']>[0]) {
    return this.#view.subscribe(listener);
  }

  waiting(): string | undefined {
    return this.#loaded ? undefined : 'the endpoint records are not loaded yet (waiting for the PrometheusCluster cache)';
  }

  degraded(): string | undefined {
    return undefined;
  }
}
