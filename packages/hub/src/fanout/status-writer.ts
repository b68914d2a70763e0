import { ShardMerge, shardCount, splitStatus, type PrometheusCluster } from '@promfleet/api';
import { semanticEqual, type Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { objectKey, type ObjectKey, type ResourceClient } from '@promfleet/kube/client';
import { updateStatus } from '@promfleet/kube/controller';
import { findCondition, setConditions, type EventRecorder } from '@promfleet/kube/status';
import pLimit from 'p-limit';

import type { HubMetrics } from '../hub-metrics.ts';
import { isFailingStatic } from './aggregate-status.ts';
import { CLUSTER_CONDITIONS, FAILING_STATIC } from './cluster-status.ts';
import { LatestWrites } from './latest-writes.ts';
import { OwnWrites } from './own-writes.ts';
import type { ShardWriter } from './shard-writer.ts';

/** Ready and Propagated on the way to a new generation: no Warning unless Ready falls back. */
const PROGRESSING: ReadonlySet<string> = new Set(['MembersNotReady', 'MembersBehind']);

/** When a status spreads over PrometheusClusterShards (past `unshardedMembers`), and how small they are (`membersPerShard` at most; 0: never shard). */
export interface Sharding {
  readonly unshardedMembers: number;
  readonly membersPerShard: number;
}

export interface StatusWriterOptions {
  readonly applier: Applier;
  readonly resources: ResourceClient<PrometheusCluster>;
  /** Where a write in a pipeline reads the object it writes over, when its turn comes. */
  readonly clusters: Informer<PrometheusCluster>;
  readonly events: EventRecorder;
  readonly hubMetrics: HubMetrics;
  readonly shards: ShardWriter;
  readonly sharding: Sharding;
  /** A sharded status's write that `write` did not wait for failed: whatever it was to write must be looked at again. */
  readonly onWriteFailed: (key: ObjectKey, error: unknown) => void;
}

/**
 * Status writes in flight across every PrometheusCluster. A 1000-member status is 400 KiB that the
 * API server decodes, validates, merges and stores whole (B8); ten fan-outs ending together would
 * otherwise send ten at once, and the hub's own Lease renewal waits behind them.
 */
const MAX_WRITES_IN_FLIGHT = 2;

type Status = NonNullable<PrometheusCluster['status']>;

/** A status to write, and the object to write it over should the cache not have it yet (one just created). */
interface Posted {
  readonly status: Status;
  readonly over: PrometheusCluster;
}

/**
 * Writes a PrometheusCluster's status when it changed, with its transition Events and metrics.
 * Past `sharding.unshardedMembers` members the entries and the members' own records go to
 * PrometheusClusterShards (docs/scale.md#status-shards). Each object is written through a
 * pipeline of its own (`LatestWrites`: one write in flight, the newest state next). Within one
 * layout `write` posts the changed shards and the status and does not wait: a member's change
 * writes its shard while others are in flight, and the caller takes the next changes in
 * meanwhile. A new layout's shards are written before the status that names it, and the shards
 * of the layout it replaced are deleted after — so DNS sees a record twice for a moment rather
 * than not at all. The hub reads and writes the status whole (`current` merges the shards and
 * whatever is posted and not yet written in), so nothing else in it knows about shards.
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  readonly #own = new OwnWrites<PrometheusCluster>();
  readonly #writes = new LatestWrites<Posted>(pLimit(MAX_WRITES_IN_FLIGHT));
  /** Read once for every member change: merged from the last merge and the shards that changed. */
  readonly #merge = new ShardMerge();

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  /** The freshest copy of the object (what is posted, else this writer's last write while the cache still shows an older one, else the cache's), its shards merged in. */
  current(key: ObjectKey, cached: PrometheusCluster | undefined): PrometheusCluster | undefined {
    const own = this.#own.current(key, cached);
    const posted = this.#writes.pending(key);
    const main = own && posted ? { ...own, status: posted.status } : own;
    return main && this.#merge.merge(key, main, this.#options.shards.of(key));
  }

  /** `live` as `current` gives it (shards merged in); `status` whole. Returns the shards it is in (1: none). */
  async write(live: PrometheusCluster, status: Status): Promise<number> {
    const key = objectKey(live);
    const layout = live.status?.shards ?? 1;
    const { membersPerShard, unshardedMembers } = this.#options.sharding;
    const count = shardCount(status.clusters?.length ?? 0, membersPerShard, layout, unshardedMembers);
    const split = splitStatus(status, count);
    const before = live.status ? { ...live, status: splitStatus(live.status, layout).main } : live;
    // An unchanged status is not posted, so it does not wait behind other clusters' writes.
    const writeMain = () =>
      semanticEqual(split.main, before.status)
        ? Promise.resolve()
        : this.#writes.post(key, { status: split.main, over: before }, (posted) => this.#send(key, posted));
    const { shards } = this.#options;
    if (count > 1 && count === layout) {
      // Within one layout the shards and the status are independent objects.
      Promise.all([shards.write(live, split.shards), writeMain()]).catch((error: unknown) => {
        this.#options.onWriteFailed(key, error);
      });
    } else {
      // A new layout's shards exist before the status names it.
      if (split.shards.length > 0) await shards.write(live, split.shards);
      await writeMain();
    }
    await shards.prune(live, count);
    this.#publishMetrics(live, status);
    return count;
  }

  /** Writes `status` over the object as it is when the write's turn comes, with the Events of what it changes. */
  async #send(key: ObjectKey, { status, over }: Posted): Promise<void> {
    const live = this.#own.current(key, this.#options.clusters.get(key)) ?? over;
    const written = await updateStatus(live, status, {
      applier: this.#options.applier,
      resources: this.#options.resources,
      events: this.#options.events,
      transitions: { benign: PROGRESSING },
    });
    if (!written.changed) return;
    this.#own.record(key, [live.metadata.resourceVersion], written.object);
    await this.#failingStaticEvents(live, status);
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
    this.#writes.forget(key);
    this.#merge.forget(key);
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
