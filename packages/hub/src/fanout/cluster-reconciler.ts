import {
  ANNOTATIONS,
  FIELD_MANAGERS,
  FINALIZERS,
  formatFieldError,
  matchesLabelSelector,
  validate,
  type MemberCluster,
  type MemberEntry,
  type PrometheusCluster,
  PrometheusClusters,
  PrometheusClusterShards,
  type PrometheusClusterShard,
} from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, objectKey, ResourceClient, type KubeClient, type ObjectKey } from '@promfleet/kube/client';
import { statusOnlyChange, type ReconcileContext, type ReconcileResult } from '@promfleet/kube/controller';
import type { Logger } from '@promfleet/kube/observability';
import { addFinalizer, hasFinalizer, type EventRecorder } from '@promfleet/kube/status';

import { setImmediate } from 'node:timers/promises';

import type { HubMetrics } from '../hub-metrics.ts';
import type { MemberRegistry } from '../members/member-registry.ts';
import { loadCredential } from '../members/credential.ts';
import { reachability } from '../members/member-status.ts';
import { refusedImages, type ObservedMember } from '../rollout/member-rollout.ts';
import { completedBefore, passRollout, tailAfterPass } from '../rollout/pass-rollout.ts';
import { replan, reportedMember } from '../rollout/rollout-tail.ts';
import type { Revisions } from '../rollout/revisions.ts';
import type { RolloutPlan } from '../rollout/planner.ts';
import { aggregateStatus, isFailingStatic, type ClusterAggregate } from './aggregate-status.ts';
import { isManagedBy } from './desired-replica.ts';
import type { MemberView } from './member-entry.ts';
import { memberOutcome, noOperatorDue, reportNewProblems, type MemberOutcome } from './member-outcome.ts';
import { vetRecordedEntry } from './member-report.ts';
import { syncFanOut } from './member-sync.ts';
import { PendingWork, type Work } from './pending-work.ts';
import { startReportWait, stillWaiting } from './report-wait.ts';
import { finalizeCluster } from './replica-removal.ts';
import { ShardWriter } from './shard-writer.ts';
import { StatusWriter, type Sharding } from './status-writer.ts';

export interface ClusterReconcilerOptions {
  readonly hub: KubeClient;
  readonly clusters: Informer<PrometheusCluster>;
  readonly members: Informer<MemberCluster>;
  /** The PrometheusClusterShards, indexed by `cluster`. */
  readonly shards: Informer<PrometheusClusterShard>;
  readonly secrets: Parameters<typeof loadCredential>[1];
  readonly registry: MemberRegistry;
  /** The ControllerRevisions the members are pinned to. */
  readonly revisions: Revisions;
  readonly events: EventRecorder;
  readonly hubMetrics: HubMetrics;
  readonly logger: Logger;
  /** Members handled at once for one PrometheusCluster. */
  readonly concurrency: number;
  readonly offlineAfterMs: number;
  readonly deletionTimeoutMs: number;
  /** A replica with no operator's status this long after its creation is reported NoOperator. */
  readonly noOperatorAfterMs: number;
  /** Images a PrometheusCluster may name; a cluster naming another is not fanned out. */
  readonly allowedImagePrefixes: readonly string[];
  /** Replica status changes within this long of a status write wait for the window's end and go out together. */
  readonly statusBatchWindowMs?: number;
  /** How long a full pass's status write waits for the first reports on the replicas it changed. */
  readonly reportWaitMs: number;
  /** When a PrometheusCluster's status spreads over PrometheusClusterShards, and how small they are. */
  readonly sharding: Sharding;
  /** Asks for a reconcile of `key` after `afterMs` (a sharded status's write that failed after its reconcile ended). */
  readonly requeue: (key: ObjectKey, afterMs: number) => void;
}

const RETRY_MS = 5_000;
/** Members whose reports are taken in between two turns of the event loop. */
const YIELD_EVERY = 64;

/**
 * Fans a PrometheusCluster out to the members its selector matches and aggregates their status.
 *
 * A full pass applies the replica where it differs (never over one the hub does not manage),
 * removes it where the member is no longer selected, reads every member's replica from its cache
 * and keeps the result as the cluster's aggregate. It runs for anything that can change the
 * fan-out: the spec, the members, their reachability, a replica's spec, a rollout in progress.
 * A replica whose status alone changed since the last pass saw it (`replicaChanged`) only replaces
 * that member's outcome in the aggregate, and changes that arrive close together are written as one status:
 * the cost of a status change does not grow with the fleet. A pass that changed replicas writes its
 * status once their operators have reported on them, for at most `reportWaitMs` (report-wait.ts).
 * Members are handled concurrently;
 * an unreachable member is skipped, its entry marked stale, and never holds up the others.
 */
export class ClusterReconciler {
  readonly #options: ClusterReconcilerOptions;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #resources: ResourceClient<PrometheusCluster>;
  readonly #writer: StatusWriter;
  readonly #aggregates = new Map<ObjectKey, ClusterAggregate>();
  readonly #pending = new PendingWork();
  /** When each PrometheusCluster's last status write started (performance.now()), and how long it took. */
  readonly #lastWrite = new Map<ObjectKey, { readonly startedAt: number; readonly tookMs: number; readonly sharded: boolean }>();

  constructor(options: ClusterReconcilerOptions) {
    this.#options = options;
    this.#resources = new ResourceClient(options.hub, PrometheusClusters);
    const shards = new ShardWriter({ applier: this.#applier, resources: new ResourceClient(options.hub, PrometheusClusterShards), shards: options.shards });
    this.#writer = new StatusWriter({
      applier: this.#applier,
      resources: this.#resources,
      clusters: options.clusters,
      events: options.events,
      hubMetrics: options.hubMetrics,
      shards,
      sharding: options.sharding,
      onWriteFailed: (key, error) => {
        options.logger.warn({ cluster: key, err: errorMessage(error) }, 'status write failed; looking at the whole cluster again');
        this.#pending.full(key);
        options.requeue(key, RETRY_MS);
      },
    });
  }

  /** The next reconcile of `key` must be a full pass. */
  needsFullPass(key: ObjectKey): void {
    this.#pending.full(key);
  }

  /**
   * `member`'s replica of `key` changed: the next reconcile looks at that member alone, and makes a
   * full pass only if more than the replica's status changed since the last pass saw it (the watch
   * echoing the hub's own apply is no change; an edit, a deletion or a replica the pass did not
   * make is). Returns when to reconcile: at once when the last status write started longer ago
   * than the batch window (a lone change is not held back), else at the window's end, with
   * whatever else arrives by then — a throttle, so under churn writes start at most once a window.
   */
  replicaChanged(key: ObjectKey, member: string): number {
    this.#pending.member(key, member);
    const last = this.#lastWrite.get(key);
    if (last === undefined) return 0;
    // The window runs from the write's start, so the time the API server takes to write is not
    // added to it. A status the API server takes longer than that to write (a thousand entries in
    // one object on a busy server) waits as long again after it: at most half of the time goes to
    // writing it, and the batches grow instead of the queue. A sharded status is small objects:
    // only the batch window holds changes back.
    const window = Math.max(this.#options.statusBatchWindowMs ?? 0, last.sharded ? 0 : 2 * last.tookMs);
    return Math.max(0, last.startedAt + window - performance.now());
  }

  async reconcile({ key, logger }: ReconcileContext): Promise<ReconcileResult | undefined> {
    const live = this.#writer.current(key, this.#options.clusters.get(key));
    const work = this.#pending.take(key, Date.now());
    let result: ReconcileResult | undefined;
    try {
      if (!live) {
        this.#forget(key);
        return undefined;
      }
      result = await this.#reconcile(live, work, logger);
    } catch (error) {
      // Whatever was pending is looked at again, whole, when the controller retries.
      this.#pending.full(key);
      throw error;
    }
    // Every requeue this reconciler asks for is a deadline (NoOperator, a rollout's, a retry): a
    // full pass is due then. Kept here as well as in the work queue, which keeps only the earliest
    // wake-up of a key: a batch window's wake-up before it is no full pass, and asks again for this one.
    const now = Date.now();
    if (result?.requeueAfterMs !== undefined) this.#pending.fullAt(key, now + result.requeueAfterMs);
    // A status held for reports is written at the wait's end by a reconcile with nothing else to do: no full pass.
    const waitEnds = this.#aggregates.get(key)?.reportWait?.until;
    const dueIn = Math.min(this.#pending.dueIn(key, now) ?? Infinity, waitEnds === undefined ? Infinity : Math.max(0, waitEnds - now));
    return Number.isFinite(dueIn) ? { requeueAfterMs: dueIn } : undefined;
  }

  async #reconcile(live: PrometheusCluster, work: Work, logger: Logger): Promise<ReconcileResult | undefined> {
    const aggregate = this.#aggregates.get(objectKey(live));
    if (!work.full && aggregate && this.#canRefresh(aggregate, live, work.members)) return this.#refresh(live, aggregate, work.members, logger);
    if (live.metadata.deletionTimestamp) {
      // Deadlines of the members' replicas no longer matter: what is left is taking them down.
      this.#aggregates.delete(objectKey(live));
      this.#pending.forget(objectKey(live));
      return this.#finalize(live);
    }
    return this.#fullPass(live, logger);
  }

  async #fullPass(cached: PrometheusCluster, logger: Logger): Promise<ReconcileResult | undefined> {
    this.#options.hubMetrics.clusterPasses.inc({ pass: 'full' });
    const unwritten = this.#aggregates.get(objectKey(cached))?.reportWait;
    this.#aggregates.delete(objectKey(cached));
    // The spec is the user's to get right; the status is the hub's own (an older one may predate rules the CRD gained).
    const parsed = validate('PrometheusCluster', { ...cached, status: undefined });
    if (!parsed.ok) {
      await this.#writer.writeInvalid(cached, parsed.errors.map(formatFieldError));
      return undefined;
    }
    const cluster: PrometheusCluster = { ...parsed.value, ...(cached.status ? { status: cached.status } : {}) };
    // An image outside the allow-list: nothing changes in any member (what runs there keeps
    // running), and the status says why; member status is still read.
    const refused = refusedImages(cluster.spec, this.#options.allowedImagePrefixes).map(formatFieldError);
    const held = refused.length > 0 ? refused.join('; ') : undefined;
    // The pass goes on from the object the finalizer patch returned: the status it writes comes
    // after that version, so a cache that shows the finalizer but not the status is known to be older.
    // The spec's revision (owned by the cluster, so collected with it) does not wait for the finalizer.
    const [live, target] = await Promise.all([
      hasFinalizer(cached, FINALIZERS.memberReplicas) ? cached : addFinalizer(this.#resources, cached, FINALIZERS.memberReplicas),
      held === undefined ? this.#options.revisions.ensure(cluster) : undefined,
    ]);

    const members = this.#options.members.list().filter((member) => !member.metadata.deletionTimestamp);
    const selected = members.filter((member) => matchesLabelSelector(cluster.spec.clusterSelector, member.metadata.labels ?? {}));
    const previous = new Map((live.status?.clusters ?? []).map((entry) => [entry.name, vetRecordedEntry(entry)]));
    const observed = selected.map((member) => ({ member, seen: this.#observe(cluster, member) }));
    const now = new Date();
    // Which revision each member runs: the rollout moves them; nothing moves while the spec is refused.
    const rollout = target ? passRollout(this.#options.revisions, target, live, cluster, observed, previous, now) : undefined;
    const { registry, events, concurrency } = this.#options;
    const { views, unremoved: pending } = await syncFanOut({ registry, applier: this.#applier, events, concurrency }, cluster, observed, rollout ?? held ?? '');
    if (pending.length > 0) logger.warn({ pending }, 'could not remove replicas from deselected members; retrying');
    // Once the applies are in, nobody may be left to move: the rest of the rollout is the members'
    // reports, and the plan is made again from the replicas the applies left, with the reports that
    // came in meanwhile (the views hold them), as a report after the pass would.
    const afterApplies =
      rollout &&
      tailAfterPass(
        rollout,
        cluster,
        observed,
        views.map((view) => view.replica),
        previous,
      );
    const replanned = afterApplies && replan(afterApplies, now, completedBefore(live, afterApplies.target));
    const plan = replanned ?? rollout?.plan;

    const outcomes = new Map(views.map((view) => [view.name, this.#outcome(view, previous.get(view.name), now)]));
    const noOperatorAt = this.#noOperatorAt(outcomes.values(), now);
    const status = aggregateStatus({ cluster, held, plan, outcomes, settled: false, noOperatorAt }, live, this.#claimants(cluster), now);
    // Failing static is news that does not wait. Revisions are pruned once the status naming the new ones is written.
    const reportWait = isFailingStatic(status) ? undefined : startReportWait(outcomes.values(), unwritten, Date.now(), this.#options.reportWaitMs);
    const unpruned = reportWait ? [] : await this.#writeAndPrune(live, status, plan);
    if (unpruned.length > 0) logger.warn({ unpruned }, 'could not delete revisions no member runs; retrying');
    await reportNewProblems(this.#options.events, live, [...outcomes.values()], previous);
    // Still probing or listing a member: look again soon rather than wait for an event that an empty member never sends.
    const learning = views.some((view) => view.reachability.state === 'unknown' || (view.reachability.state === 'ready' && !view.cacheSynced));
    // Failing static hangs on members whose probes merely failed: a probe that works again changes no member's state, so look again.
    // An apply a member refused or never answered is tried again: no event may come to prompt it.
    const failed = views.some((view) => view.applyFailed === true);
    const retry = pending.length > 0 || unpruned.length > 0 || learning || failed || isFailingStatic(status);
    const after = Math.min(retry ? RETRY_MS : Infinity, noOperatorAt - now.getTime() + 100, plan?.requeueAfterMs ?? Infinity);
    const tail = !retry && plan?.status.state !== 'Complete' ? afterApplies : undefined;
    // A replica waiting for its operator does not hold status changes back: its deadline is a full pass of its own.
    const settled = !retry && (plan === undefined || plan.status.state === 'Complete' || tail !== undefined);
    this.#aggregates.set(objectKey(live), { cluster, held, plan, outcomes, settled, tail, noOperatorAt, reportWait });
    return Number.isFinite(after) ? { requeueAfterMs: after } : undefined;
  }

  async #writeAndPrune(live: PrometheusCluster, status: NonNullable<PrometheusCluster['status']>, plan: RolloutPlan | undefined): Promise<string[]> {
    await this.#timedWrite(live, status);
    return plan ? this.#options.revisions.prune(live, new Set([...plan.pins.values(), plan.status.targetRevision ?? ''])) : [];
  }

  /**
   * A member's status change alone can be taken in without a full pass: the last pass left nothing
   * to look at again (no member left to move, none being learned), the spec is the one it saw, and
   * no changed member is waiting for an apply to be retried.
   */
  #canRefresh(aggregate: ClusterAggregate, live: PrometheusCluster, changed: ReadonlySet<string>): boolean {
    if (!aggregate.settled || aggregate.cluster.metadata.generation !== live.metadata.generation || live.metadata.deletionTimestamp) return false;
    // A member's replica has waited out its operator: that turns its entry NoOperator, a full pass's work.
    if (Date.now() >= aggregate.noOperatorAt) return false;
    for (const name of changed) if (aggregate.outcomes.get(name)?.view.applyError !== undefined) return false;
    return true;
  }

  /** The members whose replica status changed get new outcomes; the status is composed from the aggregate and written once. */
  async #refresh(live: PrometheusCluster, settled: ClusterAggregate, changed: ReadonlySet<string>, logger: Logger): Promise<ReconcileResult | undefined> {
    let aggregate = settled;
    const now = new Date();
    const before = new Map<string, MemberEntry>();
    const namespace = aggregate.cluster.metadata.namespace ?? '';
    let taken = 0;
    for (const name of changed) {
      // A fan-out's echoes or a new cluster's first reports come a thousand at once: let the Lease renewal in between.
      if (++taken % YIELD_EVERY === 0) await setImmediate();
      const current = aggregate.outcomes.get(name);
      const connection = this.#options.registry.get(name);
      // Disconnected since the pass: the full pass its reachability change calls for sees to it.
      if (!connection) continue;
      const replica = connection.replicas.get(`${connection.namespace}/${aggregate.cluster.metadata.name}`);
      if (replica && !isManagedBy(replica, { namespace, name: aggregate.cluster.metadata.name })) continue;
      const seen = current?.view.replica;
      // The echo of the pass's own apply, or the object it read: keep the cache's copy, not a second one.
      if (current && replica && replica.metadata.resourceVersion === seen?.metadata.resourceVersion) {
        aggregate.outcomes.set(name, { ...current, view: { ...current.view, replica } });
        continue;
      }
      if (!current || !seen || !replica) {
        // Created where the pass made none (by another hand, or in a member it did not select), or deleted: the fan-out's to look at.
        if (replica || seen) return this.#fullPass(live, logger);
        continue;
      }
      // Edited by another hand (drift): the pass applies the hub's spec again.
      if (!statusOnlyChange(seen, replica)) return this.#fullPass(live, logger);
      before.set(name, current.entry);
      aggregate.outcomes.set(name, this.#outcome({ ...current.view, replica }, current.entry, now));
      const member = aggregate.tail && this.#options.members.get(name);
      if (aggregate.tail && member) reportedMember(aggregate.tail, member, { ...current.view, replica }, current.entry);
    }
    const wait = aggregate.reportWait;
    const waiting = wait !== undefined && stillWaiting(wait, aggregate.outcomes, before.keys(), Date.now());
    // A held status whose wait is over (every report in, or its time up) is written with no news of its own.
    if (before.size === 0 && (wait === undefined || waiting)) return undefined;
    if (aggregate.tail) {
      const plan = replan(aggregate.tail, now, completedBefore(live, aggregate.tail.target));
      if (!plan) return this.#fullPass(live, logger);
      aggregate = { ...aggregate, plan, tail: plan.status.state === 'Complete' ? undefined : aggregate.tail };
      this.#aggregates.set(objectKey(live), aggregate);
    }
    this.#options.hubMetrics.clusterPasses.inc({ pass: 'members' });
    const outcomes = [...before.keys()].flatMap((name) => aggregate.outcomes.get(name) ?? []);
    const noOperatorAt = Math.min(aggregate.noOperatorAt, this.#noOperatorAt(outcomes, now));
    if (noOperatorAt !== aggregate.noOperatorAt) {
      aggregate = { ...aggregate, noOperatorAt };
      this.#aggregates.set(objectKey(live), aggregate);
    }
    const status = aggregateStatus(aggregate, live, this.#claimants(aggregate.cluster), now);
    const failingStatic = isFailingStatic(status);
    let unpruned: string[] = [];
    if (!waiting || failingStatic) {
      if (wait) {
        aggregate = { ...aggregate, reportWait: undefined };
        this.#aggregates.set(objectKey(live), aggregate);
        unpruned = await this.#writeAndPrune(live, status, aggregate.plan);
      } else await this.#timedWrite(live, status);
    }
    await reportNewProblems(this.#options.events, live, outcomes, before);
    if (unpruned.length > 0) logger.warn({ unpruned }, 'could not delete revisions no member runs; retrying');
    // Failing static now: the next reconcile is a full pass, and soon.
    if (failingStatic || unpruned.length > 0) {
      this.#aggregates.set(objectKey(live), { ...aggregate, settled: false });
      return { requeueAfterMs: RETRY_MS };
    }
    // A rollout's progress deadline is a full pass of its own, as after a full pass.
    const after = Math.min(noOperatorAt - now.getTime() + 100, (aggregate.tail ? aggregate.plan?.requeueAfterMs : undefined) ?? Infinity);
    return Number.isFinite(after) ? { requeueAfterMs: after } : undefined;
  }

  async #timedWrite(live: PrometheusCluster, status: NonNullable<PrometheusCluster['status']>): Promise<void> {
    const started = performance.now();
    let shards = live.status?.shards ?? 1;
    try {
      shards = await this.#writer.write(live, status);
    } finally {
      const ended = performance.now();
      this.#lastWrite.set(objectKey(live), { startedAt: started, tookMs: ended - started, sharded: shards > 1 });
    }
  }

  #outcome(view: MemberView, previous: MemberEntry | undefined, now: Date): MemberOutcome {
    const lastProbeFailed = this.#options.registry.get(view.name)?.health.last?.ok === false;
    return memberOutcome(view, previous, lastProbeFailed, now, this.#options.noOperatorAfterMs);
  }

  /** When the first replica still waiting for its operator's first status turns NoOperator (Infinity: none is waiting). */
  #noOperatorAt(outcomes: Iterable<MemberOutcome>, now: Date): number {
    let earliest = Infinity;
    for (const outcome of outcomes) earliest = Math.min(earliest, noOperatorDue(outcome, now, this.#options.noOperatorAfterMs) ?? Infinity);
    return earliest;
  }

  #claimants(cluster: PrometheusCluster): PrometheusCluster[] {
    return cluster.spec.baseDomain ? this.#options.clusters.byIndex('baseDomain', cluster.spec.baseDomain) : [];
  }

  /** What the hub sees of a member in its caches. */
  #observe(cluster: PrometheusCluster, member: MemberCluster): ObservedMember {
    const connection = this.#options.registry.get(member.metadata.name);
    const credential = loadCredential(member, this.#options.secrets);
    const reach = reachability(connection?.health, credential.ok ? undefined : credential, new Date(), this.#options.offlineAfterMs);
    const replica = connection?.replicas.get(`${member.spec.namespace}/${cluster.metadata.name}`);
    const conflict = replica !== undefined && !isManagedBy(replica, { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name });
    return { reachability: reach, cacheSynced: connection?.replicas.hasSynced ?? false, replica, conflict };
  }

  #finalize(cluster: PrometheusCluster): Promise<ReconcileResult | undefined> {
    return finalizeCluster(cluster, {
      resources: this.#resources,
      members: this.#options.members,
      registry: this.#options.registry,
      events: this.#options.events,
      deletionTimeoutMs: this.#options.deletionTimeoutMs,
      retryMs: RETRY_MS,
      released: () => {
        this.#writer.forget(objectKey(cluster));
      },
    });
  }

  #forget(key: ObjectKey): void {
    this.#aggregates.delete(key);
    this.#pending.forget(key);
    this.#lastWrite.delete(key);
    this.#writer.forget(key);
  }
}
