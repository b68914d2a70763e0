import { errorMessage } from '../client/errors.ts';
import type { SharedInformer } from '../cache/shared-informer.ts';
import type { KubeObject } from '../client/objects.ts';
import type { Controller } from '../controller/controller.ts';
import type { LeaderElector } from '../leader/leader-elector.ts';
import { createHttpServer, parseListenAddress, type HealthCheck, type HttpServer, type HttpServerOptions } from '../observability/http-server.ts';
import type { Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';

/** Something that runs only while this process leads (or always, without leader election). */
export interface Runnable {
  start(signal: AbortSignal): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ManagerOptions {
  readonly logger: Logger;
  readonly metrics: KitMetrics;
  /** `host:port` for /metrics, /healthz, /readyz (and routes others add). */
  readonly listen: string;
  /** Absent: this process always leads. */
  readonly leaderElector?: LeaderElector | undefined;
  readonly readiness?: readonly HealthCheck[];
  /** Serve HTTPS (see createHttpServer). */
  readonly tls?: HttpServerOptions['tls'];
}

/**
 * Runs a controller process in the right order: HTTP server and informer caches first (so
 * standbys serve reads and are warm), then — once the Lease is ours — controllers and other
 * leader-only runnables. Stopping reverses it: stop intake and drain reconciles, release the
 * Lease, stop caches, close the server. Losing the Lease stops the leader-only parts at once
 * and resolves `done` with `lost-leadership`, so the binary can exit and be restarted clean.
 */
export class Manager {
  readonly http: HttpServer;
  readonly done: Promise<'stopped' | 'lost-leadership'>;
  readonly #options: ManagerOptions;
  readonly #informers: SharedInformer<KubeObject>[] = [];
  readonly #leaderOnly: Runnable[] = [];
  readonly #abort = new AbortController();
  #resolveDone: (reason: 'stopped' | 'lost-leadership') => void = () => undefined;
  #election: Promise<void> | undefined;
  #leading = false;
  #stopping: Promise<void> | undefined;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    const synced: HealthCheck = {
      name: 'informers-synced',
      check: () => {
        const waiting = this.#informers.filter((informer) => !informer.hasSynced);
        return waiting.length === 0 ? undefined : `waiting for ${waiting.map((i) => `${i.resource.client.cluster}/${i.resource.type.plural}`).join(', ')}`;
      },
    };
    this.http = createHttpServer({ metrics: options.metrics, logger: options.logger, readiness: [synced, ...(options.readiness ?? [])], tls: options.tls });
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  addInformer<I extends SharedInformer<KubeObject>>(informer: I): I {
    this.#informers.push(informer);
    return informer;
  }

  addController(controller: Controller): void {
    this.#leaderOnly.push({ start: (signal) => controller.start(signal), stop: () => controller.stop() });
  }

  addLeaderRunnable(runnable: Runnable): void {
    this.#leaderOnly.push(runnable);
  }

  isLeader(): boolean {
    return this.#options.leaderElector ? this.#options.leaderElector.isLeader() : this.#leading;
  }

  async start(): Promise<void> {
    const { host, port } = parseListenAddress(this.#options.listen);
    await this.http.listen({ host, port });
    for (const informer of this.#informers) informer.start();
    const elector = this.#options.leaderElector;
    if (!elector) {
      await this.#lead(this.#abort.signal);
      return;
    }
    this.#election = elector.run(this.#abort.signal, {
      onStartedLeading: (leadership) => {
        void this.#lead(leadership);
      },
      onStoppedLeading: () => {
        if (!this.#abort.signal.aborted) void this.#loseLeadership();
      },
    });
  }

  /** The port the HTTP server listens on (useful with `:0`). */
  get port(): number {
    const address = this.http.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    await this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#options.logger.info('shutting down');
    await this.#stopLeaderOnly();
    this.#abort.abort();
    await this.#election;
    await Promise.all(this.#informers.map((informer) => informer.stop()));
    await this.http.close();
    this.#resolveDone('stopped');
  }

  async #lead(signal: AbortSignal): Promise<void> {
    this.#leading = true;
    for (const runnable of this.#leaderOnly) {
      if (signal.aborted) return;
      try {
        await runnable.start(signal);
      } catch (error) {
        this.#options.logger.error({ err: errorMessage(error) }, 'a leader-only component failed to start');
      }
    }
  }

  async #loseLeadership(): Promise<void> {
    await this.#stopLeaderOnly();
    this.#resolveDone('lost-leadership');
  }

  async #stopLeaderOnly(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    await Promise.all(
      this.#leaderOnly.map(async (runnable) => {
        await runnable.stop();
      }),
    );
  }
}
