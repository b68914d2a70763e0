import type { PrometheusReplica } from '@promfleet/api';
import { PrometheusReplicas } from '@promfleet/api';
import { Informer } from '@promfleet/kube/cache';
import { errorMessage, KubeClient, ResourceClient, type ServerContact } from '@promfleet/kube/client';
import type { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import { realClock, type Clock } from '@promfleet/kube/queue';

import { Liveness, type ProbeKind } from './liveness.ts';
import { memberSpread } from './member-spread.ts';
import { shownProblem, type MemberHealth } from './member-status.ts';
import { reportedOperatorVersion } from './operator-version.ts';
import { probeMember, type ProbeResult } from './probe.ts';
import { ROLL_CALL_SPREAD_MS } from './roll-call.ts';

export interface MemberConnectionOptions {
  readonly name: string;
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  readonly expiresAt: Date | undefined;
  /** Identifies the credential and namespace: a different fingerprint means a new connection. */
  readonly fingerprint: string;
  readonly probeIntervalMs: number;
  readonly reviewIntervalMs: number;
  readonly offlineAfterMs: number;
  readonly requestTimeoutMs: number;
  readonly metrics: KitMetrics;
  readonly logger: Logger;
  readonly writeGuard: () => boolean;
  /**
   * Something the MemberCluster reports changed: reachability (silent, heard from again), a
   * probe's problem, a review's findings, the operator version. Not called for mere contact.
   */
  readonly onProbe: (connection: MemberConnection) => void;
  /** A replica in the member's namespace was added, changed or deleted. */
  readonly onReplicaChange: (replica: PrometheusReplica, member: string) => void;
  /** A probe sent at `probeStartedAt` failed after the one before it answered: the fleet's roll call. */
  readonly onLost?: ((probeStartedAt: number) => void) | undefined;
}

/** Wall-clock milliseconds (what MemberCluster status reports), with the process's timers. */
const WALL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => realClock.setTimeout(fn, ms),
  clearTimeout: (timer) => {
    realClock.clearTimeout(timer);
  },
};

/**
 * What a member may send: a member is not trusted to keep its answers small, and one answering
 * with a gigabyte must cost the hub a bounded error, not its heap. Far above what the hub reads
 * from a member (a page of its PrometheusReplicas, access reviews; etcd keeps no object above
 * 1.5 MiB).
 */
export const MEMBER_RESPONSE_LIMITS = { maxResponseBytes: 8 * 2 ** 20, maxWatchEventBytes: 2 * 2 ** 20 } as const;

/**
 * The hub's link to one member, through its scoped credential: a client with its own
 * connection pool, a cache of the PrometheusReplicas in the member's namespace, and its
 * liveness: every answer the client gets is a sign of life, so a member whose watch or writes
 * answer is not asked anything more; a quiet one gets one cheap probe per probe interval, and the
 * full access review runs at connect and every review interval. Each member runs its own loop
 * with bounded requests, so a slow or dead member delays nobody else.
 */
export class MemberConnection {
  readonly name: string;
  readonly namespace: string;
  readonly fingerprint: string;
  readonly client: KubeClient;
  readonly replicas: Informer<PrometheusReplica>;
  readonly resources: ResourceClient<PrometheusReplica>;
  readonly #options: MemberConnectionOptions;
  readonly #liveness: Liveness;
  #review: ProbeResult | undefined;
  #last: ProbeResult | undefined;
  #failedInARow = 0;
  #operatorVersion: string | undefined;
  #stopped = false;

  constructor(options: MemberConnectionOptions) {
    this.#options = options;
    this.name = options.name;
    this.namespace = options.namespace;
    this.fingerprint = options.fingerprint;
    this.#liveness = new Liveness({
      clock: WALL_CLOCK,
      probeIntervalMs: options.probeIntervalMs,
      censusOffsetMs: Math.floor(memberSpread(options.name) * options.probeIntervalMs),
      reviewIntervalMs: options.reviewIntervalMs,
      offlineAfterMs: options.offlineAfterMs,
      expiresAt: options.expiresAt?.getTime(),
      probe: (kind) => this.#probe(kind),
      onSilentChange: () => {
        this.#changed();
      },
      onLost: options.onLost,
    });
    this.client = new KubeClient(options.kubeConfig, {
      cluster: options.name,
      metrics: options.metrics,
      requestTimeoutMs: options.requestTimeoutMs,
      writeGuard: options.writeGuard,
      userAgent: 'promfleet-hub',
      onContact: (contact) => {
        this.#onContact(contact);
      },
      ...MEMBER_RESPONSE_LIMITS,
    });
    this.resources = new ResourceClient(this.client, PrometheusReplicas);
    // The kit's long watches (5–10 min, a re-open is a request): liveness does not rest on the
    // watch. A half-open watch (a dead connection while probes pass) is cut by the silence bound,
    // its timeout + 30 s, and a member heard from again after failed probes is re-watched at once.
    this.replicas = new Informer(this.resources, {
      namespace: options.namespace,
      metrics: options.metrics,
      logger: options.logger.child({ member: options.name }),
    });
    const changed = (replica: PrometheusReplica): void => {
      options.onReplicaChange(replica, options.name);
    };
    this.replicas.addHandler({
      onAdd: changed,
      onUpdate: (_previous, replica) => {
        changed(replica);
      },
      onDelete: changed,
    });
    // The operator version the MemberCluster shows follows the replicas' reports.
    const versionHandler = (): void => {
      this.#onReplicasChanged();
    };
    this.replicas.addHandler({ onAdd: versionHandler, onUpdate: versionHandler, onDelete: versionHandler });
  }

  get health(): MemberHealth {
    const contact = this.#liveness.lastContact;
    return {
      connectedSince: new Date(this.#liveness.connectedAt),
      lastContact: contact === undefined ? undefined : new Date(contact),
      last: this.#last,
      failedInARow: this.#failedInARow,
      review: this.#review,
      expiresAt: this.#options.expiresAt,
    };
  }

  /** The version the member's replica operators report; undefined until one reports it. */
  get operatorVersion(): string | undefined {
    return this.#operatorVersion;
  }

  /** The fleet's roll call: probe within `delayMs`. */
  rollCall(delayMs: number): void {
    this.#liveness.rollCall(delayMs);
  }

  start(): void {
    this.replicas.start();
    this.#liveness.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#liveness.stop();
    await this.replicas.stop();
    await this.client.close();
  }

  /**
   * An answer from the member. A refusal (401, 403) is no sign of life of the credential and asks
   * for a probe now; a server error (5xx) is none either: the member cannot serve the hub.
   */
  #onContact({ code }: ServerContact): void {
    if (code === 401 || code === 403) this.#liveness.suspect();
    else if (code < 500) this.#liveness.contact();
  }

  async #probe(kind: ProbeKind): Promise<boolean> {
    const wasDown = this.#liveness.silent || this.#last?.problem?.reason === 'Unreachable';
    const timeoutMs = kind === 'probe' ? probeTimeoutMs(this.#options) : reviewTimeoutMs(this.#options);
    const result = await probeMember(this.client, kind, this.namespace, this.#options.expiresAt, timeoutMs);
    if (this.#stopped) return result.ok;
    const shownBefore = problemOf(shownProblem(this.#last, this.#failedInARow));
    const before = this.#review;
    this.#last = result;
    this.#failedInARow = result.ok ? 0 : this.#failedInARow + 1;
    if (result.ok && kind === 'review') this.#review = result;
    if (!result.ok) this.#options.logger.debug({ member: this.name, kind, problem: result.problem }, 'probe failed');
    // Back after not answering: the watch's connection may be half-open; one request makes sure.
    if (result.ok && wasDown) this.replicas.rewatch();
    if (shownBefore !== problemOf(shownProblem(result, this.#failedInARow)) || findingsOf(before) !== findingsOf(this.#review)) this.#changed();
    return result.ok;
  }

  #onReplicasChanged(): void {
    const version = reportedOperatorVersion(this.replicas.list());
    if (version === this.#operatorVersion) return;
    this.#operatorVersion = version;
    // None reported (the last replica went): the MemberCluster keeps showing the last version
    // known, so there is nothing for its reconcile to write.
    if (version !== undefined) this.#changed();
  }

  #changed(): void {
    if (this.#stopped) return;
    try {
      this.#options.onProbe(this);
    } catch (error) {
      this.#options.logger.error({ member: this.name, err: errorMessage(error) }, 'probe handler threw');
    }
  }
}

/** What a probe result shows on the Ready condition: a change makes the reconciler look. */
function problemOf(problem: ProbeResult['problem']): string {
  return problem ? `${problem.reason}: ${problem.message}` : 'ok';
}

/** What a review shows (version and scope): a change makes the reconciler look. */
function findingsOf(review: ProbeResult | undefined): string {
  if (!review) return 'none';
  return JSON.stringify([review.kubernetesVersion, review.excess, review.clusterWide, review.unverifiable]);
}

interface ProbeTimings {
  readonly probeIntervalMs: number;
  readonly offlineAfterMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * How long a probe may take: a healthy API server answers an access review in milliseconds. When
 * the hub is cut off, the first member's deadline is offline-after past its last census, so
 * offline-after minus the interval after its next census; by then its probe has to fail, the
 * roll call that failure calls has to go out (`ROLL_CALL_SPREAD_MS`) and every probe of it has
 * to fail, with a second to spare — so failing static sees the cut whole. 1.75 s at the defaults
 * (35 s, 40 s), never beyond --member-timeout.
 */
export function probeTimeoutMs(timings: ProbeTimings): number {
  const budget = timings.offlineAfterMs - timings.probeIntervalMs - ROLL_CALL_SPREAD_MS - 1_000;
  return Math.min(timings.requestTimeoutMs, Math.max(1_000, Math.floor(budget / 2)));
}

/**
 * How long a review may take: four requests, one a rules review. It is no census probe, but a
 * review in flight holds back its member's census probe, so when the hub is cut off its failure
 * has to come as early: a second before any deadline after the census before it. 3 s at the
 * defaults.
 */
export function reviewTimeoutMs(timings: ProbeTimings): number {
  return Math.min(timings.requestTimeoutMs, Math.max(1_000, timings.offlineAfterMs - timings.probeIntervalMs - 2_000));
}
