import type { ILease } from 'kubernetes-models/coordination.k8s.io/v1';

import { errorMessage, isConflict, isNotFound } from '../client/errors.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { ResourceClient } from '../client/resource-client.ts';
import { Leases } from '../client/resource-types.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { KitMetrics } from '../observability/metrics.ts';
import { sleep } from '../util/backoff.ts';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per process: pod name plus a random suffix. */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly logger?: Logger;
  readonly metrics?: KitMetrics;
}

const JITTER = 1.2;

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics (15 s lease,
 * 10 s renew deadline, 2 s retry, jittered). A lease held by someone else counts as expired
 * when its record has not changed for a lease duration *by our clock*, so clock skew between
 * nodes does not matter. `isLeader()` turns false as soon as renewals stop succeeding for the
 * renew deadline, before anyone else can acquire the lease: gate every write on it. It counts from
 * the last successful renewal's answer, but never past a lease duration from when that renewal was
 * sent: a standby counts from when it saw the renewal, which may be long before a slow answer.
 */
export interface LeaderCallbacks {
  /** This process acquired the Lease; `leadership` aborts when it ends. */
  onStartedLeading(leadership: AbortSignal): void;
  onStoppedLeading?(): void;
  /** The Lease is held by someone else than before (this process included), as client-go reports it. */
  onNewLeader?(identity: string): void;
}

export class LeaderElector {
  readonly #options: Required<Omit<LeaderElectionOptions, 'logger' | 'metrics'>> & Pick<LeaderElectionOptions, 'metrics'>;
  readonly #leases: ResourceClient<ILease>;
  readonly #logger: Logger;
  #observed: { record: string; at: number } | undefined;
  /** Until when this process may act as the leader: see `isLeader`. */
  #leadsUntil: number | undefined;
  #leading = false;
  #leader: string | undefined;
  #onNewLeader: ((identity: string) => void) | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...options,
    };
    this.#leases = new ResourceClient(options.client, Leases);
    this.#logger = (options.logger ?? silentLogger).child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.#gauge(0);
  }

  /** True while this process holds the lease and its last renewal still counts (see the class's doc). */
  isLeader(): boolean {
    return this.#leading && this.#leadsUntil !== undefined && Date.now() < this.#leadsUntil;
  }

  /**
   * Campaigns until the lease is acquired, then renews it; resolves when leadership is lost or
   * the signal aborts (after releasing the lease). `onStartedLeading` gets a signal that aborts
   * when leadership ends.
   */
  async run(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<void> {
    this.#onNewLeader = callbacks.onNewLeader?.bind(callbacks);
    // A function, not a property read: the signal flips while we await.
    const stopped = (): boolean => signal.aborted;
    while (!stopped() && !(await this.#tryAcquireOrRenew(signal))) {
      await sleep(this.#options.retryPeriodMs * (1 + Math.random() * (JITTER - 1)), signal);
    }
    if (stopped()) return;
    this.#becomeLeader();
    const leadership = new AbortController();
    callbacks.onStartedLeading(leadership.signal);
    while (!stopped()) {
      await sleep(this.#options.retryPeriodMs, signal);
      if (stopped()) break;
      const renewed = await this.#tryAcquireOrRenew(signal);
      if (!renewed && !this.isLeader()) break;
    }
    const released = stopped();
    this.#leading = false;
    this.#gauge(0);
    leadership.abort();
    if (released) await this.release();
    else this.#logger.error('lost the leader lease');
    callbacks.onStoppedLeading?.();
  }

  /** Gives the lease up so a standby takes over at its next retry instead of after expiry. */
  async release(): Promise<void> {
    try {
      const lease = await this.#leases.get(this.#options.name, this.#options.namespace, { timeoutMs: 5_000 });
      if (lease?.spec?.holderIdentity !== this.#options.identity) return;
      const now = microTime(new Date());
      await this.#leases.client.request({
        verb: 'update',
        method: 'PUT',
        resource: 'leases',
        path: `/apis/coordination.k8s.io/v1/namespaces/${this.#options.namespace}/leases/${this.#options.name}`,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
        bypassWriteGuard: true,
        timeoutMs: 5_000,
      });
      this.#logger.info('released the leader lease');
    } catch (error) {
      this.#logger.warn({ err: errorMessage(error) }, 'could not release the leader lease');
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { name, namespace, identity, leaseDurationMs } = this.#options;
    const now = new Date();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    try {
      const existing = await this.#leases.get(name, namespace, { signal, timeoutMs: this.#readTimeoutMs() });
      if (!existing) {
        const sent = Date.now();
        await this.#write(
          'POST',
          `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
          },
          signal,
        );
        this.#observeLeader(identity);
        return this.#renewed(sent);
      }
      this.#observeLeader(existing.spec?.holderIdentity ?? '');
      const record = JSON.stringify(existing.spec ?? {});
      if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
      const holder = existing.spec?.holderIdentity ?? '';
      const duration = (existing.spec?.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== identity && this.#observed.at + duration > Date.now()) return false;
      const transitions = (existing.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
      const sent = Date.now();
      await this.#write(
        'PUT',
        `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`,
        {
          ...existing,
          spec: {
            ...existing.spec,
            ...spec,
            leaseTransitions: transitions,
            acquireTime: holder === identity ? existing.spec?.acquireTime : microTime(now),
          },
        },
        signal,
      );
      this.#observeLeader(identity);
      return this.#renewed(sent);
    } catch (error) {
      if (!signal.aborted && !isConflict(error) && !isNotFound(error)) this.#logger.warn({ err: errorMessage(error) }, 'lease request failed');
      return false;
    }
  }

  /**
   * How long one attempt may wait for the Lease. Renewing, as client-go: whatever is left of the
   * renew deadline, so a server that answers in 5 s on a saturated machine still keeps its leader
   * (a fixed 4 s lost the Lease to two slow answers in a row). Acquiring has no deadline to spend:
   * two retry periods, then the next try.
   */
  #readTimeoutMs(): number {
    const { retryPeriodMs } = this.#options;
    if (!this.#leading || this.#leadsUntil === undefined) return retryPeriodMs * 2;
    return Math.max(1, this.#leadsUntil - Date.now());
  }

  async #write(method: 'POST' | 'PUT', path: string, body: unknown, signal: AbortSignal): Promise<void> {
    await this.#leases.client.request({
      verb: method === 'POST' ? 'create' : 'update',
      method,
      resource: 'leases',
      path,
      body,
      signal,
      timeoutMs: this.#options.renewDeadlineMs,
      bypassWriteGuard: true,
    });
  }

  #observeLeader(identity: string): void {
    if (identity === '' || identity === this.#leader) return;
    this.#leader = identity;
    this.#onNewLeader?.(identity);
  }

  /** A write of the Lease sent at `sent` succeeded. */
  #renewed(sent: number): boolean {
    const { leaseDurationMs, renewDeadlineMs } = this.#options;
    this.#leadsUntil = Math.min(Date.now() + renewDeadlineMs, sent + leaseDurationMs);
    return true;
  }

  #becomeLeader(): void {
    this.#leading = true;
    this.#gauge(1);
    this.#logger.info('acquired the leader lease');
  }

  #gauge(value: number): void {
    this.#options.metrics?.leader.set({ lease: `${this.#options.namespace}/${this.#options.name}` }, value);
  }
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
