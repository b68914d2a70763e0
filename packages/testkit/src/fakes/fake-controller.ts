import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

import type { KubeConfig } from '@kubernetes/client-node';
import { Informer } from '@promfleet/kube/cache';
import {
  errorMessage,
  isConflict,
  isNotFound,
  KubeClient,
  objectKey,
  ResourceClient,
  type KubeObject,
  type ObjectMeta,
  type ResourceType,
} from '@promfleet/kube/client';
import { Controller } from '@promfleet/kube/controller';
import { createLogger, KitMetrics, type Logger } from '@promfleet/kube/observability';

/** What a fake controller needs to know about its cluster. */
export interface ClusterHandle {
  readonly name: string;
  readonly index: number;
  readonly kubeConfig: KubeConfig;
  /** Folder for the controller's log. */
  readonly dir: string;
}

/** Objects the fakes handle always have a name. */
export interface NamedObject extends KubeObject {
  metadata: ObjectMeta & { name: string };
}

/**
 * The plumbing of a fake controller, on the same controller kit the real controllers use:
 * informers whose changes queue `<kind>:<key>`, a controller that reconciles each (returning a
 * delay to look again later), and a JSON log in the cluster's folder.
 */
export class FakeController {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly #controller: Controller;
  readonly #informers: Informer<KubeObject>[] = [];
  readonly #log: ReturnType<typeof createWriteStream>;
  #writes = 0;

  constructor(cluster: ClusterHandle, name: string, reconcile: (kind: string, key: string) => Promise<number | undefined>) {
    this.#log = createWriteStream(join(cluster.dir, `${name}.log`), { flags: 'a' });
    // The fleet's folder may go before a late line; a log must never crash a test.
    this.#log.on('error', () => undefined);
    this.logger = createLogger({ name: `testkit-${name}`, level: 'warn', destination: this.#log });
    this.client = new KubeClient(cluster.kubeConfig, {
      cluster: cluster.name,
      metrics: new KitMetrics(),
      requestTimeoutMs: 10_000,
      userAgent: `testkit-${name}`,
    });
    this.#controller = new Controller({
      name,
      workers: 4,
      logger: this.logger,
      reconcile: async ({ key }) => {
        const split = key.indexOf(':');
        const after = await reconcile(key.slice(0, split), key.slice(split + 1));
        return after === undefined ? undefined : { requeueAfterMs: after };
      },
    });
  }

  /** A cache of one resource whose changes queue `<kind>:<key>`. */
  inform<T extends KubeObject>(kind: string, type: ResourceType<T>, fieldSelector?: string): Informer<T> {
    const informer = new Informer(this.resources(type), { fieldSelector, watchTimeoutSeconds: 60, logger: this.logger });
    this.#controller.watchMapped(informer, (object) => [`${kind}:${objectKey(object)}`]);
    this.#informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  resources<T extends KubeObject>(type: ResourceType<T>): ResourceClient<T> {
    return new ResourceClient(this.client, type);
  }

  enqueue(kind: string, key: string): void {
    this.#controller.enqueue(`${kind}:${key}`);
  }

  /**
   * Runs a write and counts it; a 404 or 409 (the object changed or went since the informer saw
   * it, so its next event comes) is no error. Resolves whether the write happened.
   */
  async write(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      this.#writes++;
      return true;
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return false;
      this.logger.warn({ err: errorMessage(error) }, 'write failed');
      throw error;
    }
  }

  /** Successful writes so far: lets tests prove a fake writes only when needed. */
  get writes(): number {
    return this.#writes;
  }

  /** Starts every informer and the controller; resolves once each informer has listed. */
  async start(): Promise<void> {
    for (const informer of this.#informers) informer.start();
    await this.#controller.start();
  }

  async stop(): Promise<void> {
    await this.#controller.stop();
    await Promise.all(this.#informers.map((informer) => informer.stop()));
    await this.client.close();
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}
