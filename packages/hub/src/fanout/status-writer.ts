import type { PrometheusCluster } from '@promfleet/api';
import { semanticEqual, type Applier } from '@promfleet/kube/apply';
import { objectKey, withoutManagedFields, type ObjectKey, type ResourceClient } from '@promfleet/kube/client';
import { updateStatus } from '@promfleet/kube/controller';
import { findCondition, setConditions, type EventRecorder } from '@promfleet/kube/status';
import pLimit from 'p-limit';

import type { HubMetrics } from '../hub-metrics.ts';
import { isFailingStatic } from './aggregate-status.ts';
import { CLUSTER_CONDITIONS, FAILING_STATIC } from './cluster-status.ts';

/** Ready and Propagated on the way to a new generation: no Warning unless Ready falls back. */
const PROGRESSING: ReadonlySet<string> = new Set(['MembersNotReady', 'MembersBehind']);

export interface StatusWriterOptions {
  readonly applier: Applier;
  readonly resources: ResourceClient<PrometheusCluster>;
  readonly events: EventRecorder;
  readonly hubMetrics: HubMetrics;
}

const MAX_STALE = 32;
/**
 * Status writes in flight across every PrometheusCluster. A 1000-member status is 400 KiB that the
 * API server decodes, validates, merges and stores whole (B8); ten fan-outs ending together would
 * otherwise send ten at once, and the hub's own Lease renewal waits behind them.
 */
const MAX_WRITES_IN_FLIGHT = 2;

type Status = NonNullable<PrometheusCluster['status']>;

/**
 * Writes a PrometheusCluster's status when it changed, with its transition Events and metrics, and
 * remembers what it wrote until the cache has it: a reconcile that runs before the watch delivers
 * the hub's own write starts from that write, not from the older cached copy (which would make it
 * write the same status again, or build on entries it has already replaced).
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  /** Per object: the last write, and the resourceVersions known to come before it. */
  readonly #written = new Map<ObjectKey, { readonly before: ReadonlySet<string>; readonly object: PrometheusCluster }>();
  readonly #inFlight = pLimit(MAX_WRITES_IN_FLIGHT);

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  /** The freshest copy of the object: the cache's, or this writer's last write while the cache still shows what came before it. */
  current(key: ObjectKey, cached: PrometheusCluster | undefined): PrometheusCluster | undefined {
    const written = this.#written.get(key);
    if (!cached || !written) return cached;
    if (written.before.has(cached.metadata.resourceVersion ?? '')) return written.object;
    this.#written.delete(key);
    return cached;
  }

  async write(live: PrometheusCluster, status: Status): Promise<void> {
    const { events, hubMetrics } = this.#options;
    const update = () =>
      updateStatus(live, status, {
        applier: this.#options.applier,
        resources: this.#options.resources,
        events,
        transitions: { benign: PROGRESSING },
      });
    // An unchanged status sends nothing, so it does not wait behind other clusters' writes.
    const written = semanticEqual(status, live.status) ? await update() : await this.#inFlight(update);
    if (written.changed) {
      const key = objectKey(live);
      // Writes can follow each other faster than the watch delivers them: every version before the newest is stale.
      const before = new Set([...(this.#written.get(key)?.before ?? []), live.metadata.resourceVersion ?? ''].slice(-MAX_STALE));
      this.#written.set(key, { before, object: withoutManagedFields(written.object) });
      await this.#failingStaticEvents(live, status);
    }
    const targets = (status.endpoints ?? []).reduce((sum, record) => sum + record.targets.length, 0);
    const key = { namespace: live.metadata.namespace ?? '', name: live.metadata.name };
    hubMetrics.endpointTargets.set(key, targets);
    hubMetrics.dnsFailingStatic.set(key, isFailingStatic(status) ? 1 : 0);
  }

  /** A spec the schema refuses: Ready False with every error, and nothing else of the status changes. */
  async writeInvalid(live: PrometheusCluster, errors: readonly string[]): Promise<void> {
    const conditions = setConditions(
      live.status?.conditions,
      [{ type: 'Ready', status: 'False', reason: 'SpecInvalid', message: errors.join('; ') }],
      live.metadata.generation,
      new Date(),
    );
    await this.write(live, {
      ...live.status,
      ...(live.metadata.generation !== undefined ? { observedGeneration: live.metadata.generation } : {}),
      phase: 'Degraded',
      conditions,
    });
  }

  forget(key: ObjectKey): void {
    this.#written.delete(key);
    const [namespace = '', name = ''] = key.split('/');
    this.#options.hubMetrics.endpointTargets.remove({ namespace, name });
    this.#options.hubMetrics.dnsFailingStatic.remove({ namespace, name });
  }

  /** DNSPublished stays True while failing static, so its start and end get Events of their own. */
  async #failingStaticEvents(live: PrometheusCluster, status: Status): Promise<void> {
    const before = findCondition(live.status?.conditions, CLUSTER_CONDITIONS.dnsPublished);
    const after = findCondition(status.conditions, CLUSTER_CONDITIONS.dnsPublished);
    if (after?.reason === FAILING_STATIC && before?.reason !== FAILING_STATIC)
      await this.#options.events.record(live, 'Warning', FAILING_STATIC, after.message);
    if (before?.reason === FAILING_STATIC && after?.reason !== FAILING_STATIC) {
      await this.#options.events.record(live, 'Normal', 'FailingStaticEnded', `no longer failing static: ${after?.message ?? 'no DNS records'}`);
    }
  }
}
