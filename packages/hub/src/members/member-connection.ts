import type { PrometheusReplica } from '@promfleet/api';
import { PrometheusReplicas } from '@promfleet/api';
import { Informer } from '@promfleet/kube/cache';
import { errorMessage, KubeClient, ResourceClient } from '@promfleet/kube/client';
import type { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';

import type { MemberHealth } from './member-status.ts';
import { probeMember, type ProbeResult } from './probe.ts';

export interface MemberConnectionOptions {
  readonly name: string;
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  readonly expiresAt: Date | undefined;
  /** Identifies the credential and namespace: a different fingerprint means a new connection. */
  readonly fingerprint: string;
  readonly probeIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly metrics: KitMetrics;
  readonly logger: Logger;
  readonly writeGuard: () => boolean;
  readonly onProbe: (connection: MemberConnection) => void;
  /** A replica in the member's namespace was added, changed (`previous` is what it was) or deleted. */
  readonly onReplicaChange: (replica: PrometheusReplica, member: string, previous?: PrometheusReplica) => void;
}

/**
 * What a member may send: a member is not trusted to keep its answers small, and one answering
 * with a gigabyte must cost the hub a bounded error, not its heap. Far above what the hub reads
 * from a member (a page of its PrometheusReplicas, access reviews; etcd keeps no object above
 * 1.5 MiB).
 */
export const MEMBER_RESPONSE_LIMITS = { maxResponseBytes: 8 * 2 ** 20, maxWatchEventBytes: 2 * 2 ** 20 } as const;

/**
 * The hub's link to one member, through its scoped credential: a client with its own
 * connection pool, a cache of the PrometheusReplicas in the member's namespace, and a probe
 * loop. Each member runs its own loop with bounded requests, so a slow or dead member delays
 * nobody else.
 */
export class MemberConnection {
  readonly name: string;
  readonly namespace: string;
  readonly fingerprint: string;
  readonly client: KubeClient;
  readonly replicas: Informer<PrometheusReplica>;
  readonly resources: ResourceClient<PrometheusReplica>;
  readonly #options: MemberConnectionOptions;
  readonly #connectedSince = new Date();
  #lastSuccess: ProbeResult | undefined;
  #last: ProbeResult | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: MemberConnectionOptions) {
    this.#options = options;
    this.name = options.name;
    this.namespace = options.namespace;
    this.fingerprint = options.fingerprint;
    this.client = new KubeClient(options.kubeConfig, {
      cluster: options.name,
      metrics: options.metrics,
      requestTimeoutMs: options.requestTimeoutMs,
      writeGuard: options.writeGuard,
      userAgent: 'promfleet-hub',
      ...MEMBER_RESPONSE_LIMITS,
    });
    this.resources = new ResourceClient(this.client, PrometheusReplicas);
    this.replicas = new Informer(this.resources, {
      namespace: options.namespace,
      metrics: options.metrics,
      logger: options.logger.child({ member: options.name }),
      // Short watches: a member that hangs is noticed within a couple of minutes.
      watchTimeoutSeconds: 60,
      silenceMs: 90_000,
    });
    this.replicas.addHandler({
      onAdd: (replica) => {
        options.onReplicaChange(replica, options.name);
      },
      onUpdate: (previous, replica) => {
        options.onReplicaChange(replica, options.name, previous);
      },
      onDelete: (replica) => {
        options.onReplicaChange(replica, options.name);
      },
    });
  }

  get health(): MemberHealth {
    return { connectedSince: this.#connectedSince, lastSuccess: this.#lastSuccess, last: this.#last, expiresAt: this.#options.expiresAt };
  }

  start(): void {
    this.replicas.start();
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.replicas.stop();
    await this.client.close();
  }

  /** Probes now (the loop goes on from here). */
  async probe(): Promise<ProbeResult> {
    const result = await probeMember(
      this.client,
      this.namespace,
      this.#options.expiresAt,
      Math.min(this.#options.requestTimeoutMs, this.#options.probeIntervalMs),
    );
    if (this.#stopped) return result;
    this.#last = result;
    if (result.ok) this.#lastSuccess = result;
    else this.#options.logger.debug({ member: this.name, problem: result.problem }, 'probe failed');
    try {
      this.#options.onProbe(this);
    } catch (error) {
      this.#options.logger.error({ member: this.name, err: errorMessage(error) }, 'probe handler threw');
    }
    return result;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.probe().finally(() => {
        // Jitter keeps a fleet of members from being probed in lockstep.
        this.#schedule(this.#options.probeIntervalMs * (0.9 + Math.random() * 0.2));
      });
    }, delayMs);
    this.#timer.unref();
  }
}
