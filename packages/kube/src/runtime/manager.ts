import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Cache } from '../cache/shared-informer.ts';
import { errorMessage } from '../client/errors.ts';
import { KubeClient, type ClientConfig } from '../client/kube-client.ts';
import type { Controller } from '../controller/controller.ts';
import { LeaderElector, type LeaderElectionOptions } from '../leader/leader-elector.ts';
import { createHttpServer, parseListenAddress, type HealthCheck, type HttpServer, type HttpServerOptions } from '../observability/http-server.ts';
import type { Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';
import { EventRecorder } from '../status/events.ts';
import { onShutdown } from './shutdown.ts';

/** Something the Manager starts and stops with the process, or with leadership. */
export interface Runnable {
  start(signal: AbortSignal): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * When a runnable runs. `startup`: on every replica, before the HTTP server and the caches
 * (connections the others use). `running`: on every replica, once the caches have started (work
 * that serves from them). `leading`: only while this process holds the Lease (controllers).
 */
export type RunnablePhase = 'startup' | 'running' | 'leading';

export interface ManagerOptions {
  /** The program: the client's user agent, the Lease's name, the source of Events. */
  readonly name: string;
  readonly kubeConfig: ClientConfig;
  /** The client's cluster in logs and metrics (`hub`, `local`). */
  readonly cluster: string;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
  /** `host:port` for /metrics, /healthz, /readyz (and routes others add). */
  readonly listen: string;
  /** The Lease's namespace (and client-go's timings, by default); absent: this process always leads. */
  readonly leaderElection?:
    (Pick<LeaderElectionOptions, 'namespace'> & Partial<Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>>) | undefined;
  /** Serve HTTPS (see createHttpServer). */
  readonly tls?: HttpServerOptions['tls'];
  /** This process in the Lease and in Events; default: the pod (or host) name and a random suffix. */
  readonly identity?: string | undefined;
  /** `run()` stops on SIGTERM, SIGINT and uncaught errors, then exits (default true; tests running in-process say false). */
  readonly handleSignals?: boolean;
}

export type StopReason = 'stopped' | 'lost-leadership';

/**
 * Owns a controller process, like controller-runtime's manager: it builds the client (whose
 * writes go through only while this process leads), the identity, the leader elector and the
 * Event recorder; it runs caches, runnables and controllers in order, serves /metrics, /healthz
 * and /readyz, and tears everything down when stopped or when the Lease is lost. `run()` is the
 * whole life of a binary: it resolves to the exit code.
 */
export class Manager {
  readonly client: KubeClient;
  readonly identity: string;
  readonly events: EventRecorder;
  readonly http: HttpServer;
  /** Resolves when the manager has stopped, or the Lease was lost (leader-only parts stopped). */
  readonly done: Promise<StopReason>;
  readonly #options: ManagerOptions;
  readonly #elector: LeaderElector | undefined;
  readonly #caches: Cache[] = [];
  readonly #runnables: Record<RunnablePhase, Runnable[]> = { startup: [], running: [], leading: [] };
  readonly #readiness: HealthCheck[] = [];
  readonly #abort = new AbortController();
  #resolveDone: (reason: StopReason) => void = () => undefined;
  #election: Promise<void> | undefined;
  #leading = false;
  #stopping: Promise<void> | undefined;

  constructor(options: ManagerOptions) {
    this.#options = options;
    const { logger, metrics, name } = options;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.identity = options.identity ?? `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString('hex')}`;
    this.client = new KubeClient(options.kubeConfig, { cluster: options.cluster, metrics, userAgent: name, writeGuard: () => this.isLeader() });
    const lease = options.leaderElection;
    this.#elector = lease ? new LeaderElector({ ...lease, client: this.client, name, identity: this.identity, logger, metrics }) : undefined;
    this.events = new EventRecorder(this.client, { component: name, instance: this.identity, logger });
    this.#readiness.push({
      name: 'informers-synced',
      check: () => {
        const waiting = this.#caches.filter((cache) => !cache.hasSynced);
        return waiting.length === 0 ? undefined : `waiting for ${waiting.map((c) => `${c.resource.client.cluster}/${c.resource.type.plural}`).join(', ')}`;
      },
    });
    this.http = createHttpServer({ metrics, logger, readiness: this.#readiness, tls: options.tls });
  }

  /** Aborts when the manager stops. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The port the HTTP server listens on (useful with `:0`). */
  get port(): number {
    const address = this.http.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** A cache started with the process on every replica, so standbys serve reads and are warm. */
  addCache<C extends Cache>(cache: C): C {
    this.#caches.push(cache);
    return cache;
  }

  addController(controller: Controller): void {
    this.addRunnable({ start: (signal) => controller.start(signal), stop: () => controller.stop() }, 'leading');
  }

  addRunnable(runnable: Runnable, phase: RunnablePhase): void {
    this.#runnables[phase].push(runnable);
  }

  /** A check /readyz runs besides the caches' sync. */
  addReadinessCheck(check: HealthCheck): void {
    this.#readiness.push(check);
  }

  isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader() : this.#leading;
  }

  /** Starts everything and returns once running (and, without leader election, leading). */
  async start(): Promise<void> {
    for (const runnable of this.#runnables.startup) await runnable.start(this.signal);
    const { host, port } = parseListenAddress(this.#options.listen);
    await this.http.listen({ host, port });
    for (const cache of this.#caches) cache.start();
    const elector = this.#elector;
    if (elector) {
      this.#election = elector.run(this.signal, {
        onStartedLeading: (leadership) => {
          void this.#lead(leadership);
        },
        onStoppedLeading: () => {
          if (!this.signal.aborted) void this.#loseLeadership();
        },
      });
    } else {
      await this.#lead(this.signal);
    }
    for (const runnable of this.#runnables.running) await runnable.start(this.signal);
  }

  /** Stops intake and drains reconciles, releases the Lease, stops caches and runnables, closes the server and the client. */
  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    await this.#stopping;
  }

  /**
   * The life of a controller binary: starts, runs until a signal (exit code 0, after a graceful
   * stop) or until the Lease is lost (exit code 1, after tearing everything down, so a restart
   * campaigns again from a clean state instead of a process that hangs on, managing nothing).
   */
  async run(started: Readonly<Record<string, unknown>> = {}): Promise<number> {
    const uninstall = this.#options.handleSignals === false ? () => undefined : onShutdown(this.#options.logger, () => this.stop());
    await this.start();
    this.#options.logger.info({ listen: this.#options.listen, ...started }, 'started');
    // After a signal the shutdown handler exits the process itself, once stopped.
    if ((await this.done) === 'stopped') return 0;
    // The exit code is ours to set: no handler may turn the end of the event loop into a clean exit.
    uninstall();
    this.#options.logger.error('exiting after losing the leader lease; a restart campaigns again');
    await this.stop();
    return 1;
  }

  async #stop(): Promise<void> {
    this.#options.logger.info('shutting down');
    await this.#stopLeading();
    this.#abort.abort();
    await this.#election;
    await Promise.all(this.#caches.map((cache) => cache.stop()));
    await this.http.close();
    for (const runnable of [...this.#runnables.running].reverse()) await runnable.stop();
    for (const runnable of [...this.#runnables.startup].reverse()) await runnable.stop();
    await this.client.close();
    this.#resolveDone('stopped');
  }

  async #lead(signal: AbortSignal): Promise<void> {
    this.#leading = true;
    for (const runnable of this.#runnables.leading) {
      if (signal.aborted) return;
      try {
        await runnable.start(signal);
      } catch (error) {
        this.#options.logger.error({ err: errorMessage(error) }, 'a leader-only component failed to start');
      }
    }
  }

  async #loseLeadership(): Promise<void> {
    await this.#stopLeading();
    this.#resolveDone('lost-leadership');
  }

  async #stopLeading(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    await Promise.all(
      this.#runnables.leading.map(async (runnable) => {
        await runnable.stop();
      }),
    );
  }
}
