import { KubeClient, type KubeRequest } from '@promfleet/kube/client';

/**
 * A hub client that can hold the next status write to one object until the test lets it go (or
 * fails it), and counts status writes per object: what a slow or failing API server does to one
 * write, without slowing the rest.
 */
export class GatedClient extends KubeClient {
  readonly #statusWrites = new Map<string, number>();
  #gate: { readonly path: string; readonly open: Promise<undefined> } | undefined;

  /** Holds the next status write to `/<resource>/<name>/status` until the returned gate is resolved or rejected. */
  hold(resource: string, name: string): PromiseWithResolvers<undefined> {
    const gate = Promise.withResolvers<undefined>();
    this.#gate = { path: `/${resource}/${name}/status`, open: gate.promise };
    return gate;
  }

  /** The status writes sent to `/<resource>/<name>/status` so far. */
  statusWrites(resource: string, name: string): number {
    return this.#statusWrites.get(`${resource}/${name}`) ?? 0;
  }

  override async request<T>(req: KubeRequest): Promise<T> {
    if (req.method !== 'GET' && req.path.endsWith('/status')) {
      const object = req.path.split('/').slice(-3, -1).join('/');
      this.#statusWrites.set(object, (this.#statusWrites.get(object) ?? 0) + 1);
      const gate = this.#gate;
      if (gate && req.path.endsWith(gate.path)) {
        this.#gate = undefined;
        await gate.open;
      }
    }
    return super.request<T>(req);
  }
}
