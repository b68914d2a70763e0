import { mergeShards, shardCount, splitStatus, type PrometheusCluster } from '@promfleet/api';
import { semanticEqual, type Applier } from '@promfleet/kube/apply';
import { objectKey, type ObjectKey, type ResourceClient } from '@promfleet/kube/client';
import { updateStatus } from '@promfleet/kube/controller';
import { findCondition, setConditions, type EventRecorder } from '@promfleet/kube/status';
import pLimit from 'p-limit';

import type { HubMetrics } from '../hub-metrics.ts';
import { isFailingStatic } from './aggregate-status.ts';
import { CLUSTER_CONDITIONS, FAILING_STATIC } from './cluster-status.ts';
import { OwnWrites } from './own-writes.ts';
import type { ShardWriter } from './shard-writer.ts';

/** Ready and Propagated on the way to a new generation: no Warning unless Ready falls back. */
const PROGRESSING: ReadonlySet<string> = new Set(['MembersNotReady', 'MembersBehind']);

export interface StatusWriterOptions {
  readonly applier: Applier;
  readonly resources: ResourceClient<PrometheusCluster>;
  readonly events: EventRecorder;
  readonly hubMetrics: HubMetrics;
  readonly shards: ShardWriter;
  /** Members past which a status is spread over PrometheusClusterShards (0: never). */
  readonly membersPerShard: number;
}

/**
 * Status writes in flight across every PrometheusCluster. A 1000-member status is 400 KiB that the
 * API server decodes, validates, merges and stores whole (B8); ten fan-outs ending together would
 * otherwise send ten at once, and the hub's own Lease renewal waits behind them.
 */
const MAX_WRITES_IN_FLIGHT = 2;

type Status = NonNullable<PrometheusCluster['status']>;

/**
 * Writes a PrometheusCluster's status when it changed, with its transition Events and metrics.
 * Past `membersPerShard` members the entries and the members' own records go to
 * PrometheusClusterShards (docs/scale.md#status-shards). Within one layout the changed shards and
 * the status are written side by side; a new layout's shards are written before the status that
 * names it, and the shards of the layout it replaced are deleted after — so DNS sees a record
 * twice for a moment rather than not at all. The hub reads and writes the status whole
 * (`current` merges the shards in), so nothing else in it knows about shards.
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  readonly #own = new OwnWrites<PrometheusCluster>();
  readonly #inFlight = pLimit(MAX_WRITES_IN_FLIGHT);

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  /** The freshest copy of the object (the cache's, or this writer's last write while the cache still shows an older one), its shards merged in. */
  current(key: ObjectKey, cached: PrometheusCluster | undefined): PrometheusCluster | undefined {
    const main = this.#own.current(key, cached);
    return main?.status?.shards === undefined ? main : mergeShards(main, this.#options.shards.of(key));
  }

  /** `live` as `current` gives it (shards merged in); `status` whole. Returns the shards it is in (1: none). */
  async write(live: PrometheusCluster, status: Status): Promise<number> {
    const { events } = this.#options;
    const count = shardCount(status.clusters?.length ?? 0, this.#options.membersPerShard, live.status?.shards ?? 1);
    const split = splitStatus(status, count);
    const main = live.status ? { ...live, status: splitStatus(live.status, live.status.shards ?? 1).main } : live;
    const writeMain = () => {
      const update = () =>
        updateStatus(main, split.main, {
          applier: this.#options.applier,
          resources: this.#options.resources,
          events,
          transitions: { benign: PROGRESSING },
        });
      // An unchanged status sends nothing, so it does not wait behind other clusters' writes.
      return semanticEqual(split.main, main.status) ? update() : this.#inFlight(update);
    };
    const writeShards = () => this.#options.shards.write(main, split.shards);
    let written: Awaited<ReturnType<typeof writeMain>>;
    if (split.shards.length > 0 && count === (live.status?.shards ?? 1)) {
      // Within one layout the shards and the status are independent objects.
      [, written] = await Promise.all([writeShards(), writeMain()]);
    } else {
      // A new layout's shards exist before the status names it.
      if (split.shards.length > 0) await writeShards();
      written = await writeMain();
    }
    if (written.changed) {
      this.#own.record(objectKey(live), [live.metadata.resourceVersion], written.object);
      await this.#failingStaticEvents(live, status);
    }
    await this.#options.shards.prune(main, count);
    this.#publishMetrics(live, status);
    return count;
  }

  #publishMetrics(live: PrometheusCluster, status: Status): void {
    const { hubMetrics } = this.#options;
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
    this.#own.forget(key);
    this.#options.shards.forget(key);
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
