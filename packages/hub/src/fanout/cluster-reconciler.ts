import {
  ANNOTATIONS,
  FIELD_MANAGERS,
  FINALIZERS,
  formatFieldError,
  LABELS,
  matchesLabelSelector,
  publicHosts,
  validate,
  type MemberCluster,
  type MemberEntry,
  type PrometheusCluster,
  PrometheusClusters,
} from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, isConnectionError, objectKey, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { finalizeWithin, updateStatus, type ReconcileContext, type ReconcileResult } from '@promfleet/kube/controller';
import type { Logger } from '@promfleet/kube/observability';
import { addFinalizer, findCondition, hasFinalizer, setConditions, type EventRecorder } from '@promfleet/kube/status';
import pLimit from 'p-limit';

import type { HubMetrics } from '../hub-metrics.ts';
import type { MemberConnection } from '../members/member-connection.ts';
import type { MemberRegistry } from '../members/member-registry.ts';
import { loadCredential } from '../members/credential.ts';
import { reachability } from '../members/member-status.ts';
import { CLUSTER_CONDITIONS, clusterStatus, FAILING_STATIC, type DNSOutcome } from './cluster-status.ts';
import { desiredReplica, isManagedBy } from './desired-replica.ts';
import { baseDomainClaim } from './base-domain.ts';
import { buildRecords } from './dns-records.ts';
import { dnsTargets, memberReach, type MemberReach } from './fail-static.ts';
import { memberEntry, type MemberView } from './member-entry.ts';
import { vetMemberReport, vetRecordedEntry, withReportProblem, type MemberReport } from './member-report.ts';
import { noOperatorDeadline, noOperatorMessage } from './no-operator.ts';
import { refusedImages, rolloutCondition, rolloutMember, sourceGenerationOf, type ObservedMember } from '../rollout/member-rollout.ts';
import { pinnedTemplate, templateFor, templateProblem, type RevisionLookup } from '../rollout/member-spec.ts';
import { planRollout, type RolloutPlan } from '../rollout/planner.ts';
import type { Revisions } from '../rollout/revisions.ts';

export interface ClusterReconcilerOptions {
  readonly hub: KubeClient;
  readonly clusters: Informer<PrometheusCluster>;
  readonly members: Informer<MemberCluster>;
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
  /** Called with every status the hub computes, for the endpoint store and DNSEndpoint. */
  readonly onStatus?: (cluster: PrometheusCluster) => Promise<void> | void;
}

const RETRY_MS = 5_000;

/**
 * Fans a PrometheusCluster out to the members its selector matches: applies the replica where
 * it differs (never over one the hub does not manage), removes it where the member is no longer
 * selected, reads the replicas' status from the members' caches, and aggregates it into the
 * status and the DNS records. Members are handled concurrently; an unreachable member is
 * skipped, its entry marked stale, and never holds up the others.
 */
/** Ready and Propagated on the way to a new generation: no Warning unless Ready falls back. */
const PROGRESSING: ReadonlySet<string> = new Set(['MembersNotReady', 'MembersBehind']);

export class ClusterReconciler {
  readonly #options: ClusterReconcilerOptions;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #resources: ResourceClient<PrometheusCluster>;

  constructor(options: ClusterReconcilerOptions) {
    this.#options = options;
    this.#resources = new ResourceClient(options.hub, PrometheusClusters);
  }

  async reconcile({ key, logger }: ReconcileContext): Promise<ReconcileResult | undefined> {
    const live = this.#options.clusters.get(key);
    if (!live) return undefined;
    if (live.metadata.deletionTimestamp) return this.#finalize(live);
    // The spec is the user's to get right; the status is the hub's own (an older one may predate rules the CRD gained).
    const parsed = validate('PrometheusCluster', { ...live, status: undefined });
    if (!parsed.ok) return this.#reportInvalid(live, parsed.errors.map(formatFieldError));
    const cluster: PrometheusCluster = { ...parsed.value, ...(live.status ? { status: live.status } : {}) };
    if (!hasFinalizer(live, FINALIZERS.memberReplicas)) await addFinalizer(this.#resources, live, FINALIZERS.memberReplicas);

    // An image outside the allow-list: nothing changes in any member (what runs there keeps
    // running), and the status says why; member status is still read.
    const refused = refusedImages(cluster.spec, this.#options.allowedImagePrefixes).map(formatFieldError);
    const held = refused.length > 0 ? refused.join('; ') : undefined;
    const members = this.#options.members.list().filter((member) => !member.metadata.deletionTimestamp);
    const selected = members.filter((member) => matchesLabelSelector(cluster.spec.clusterSelector, member.metadata.labels ?? {}));
    const selectedNames = new Set(selected.map((member) => member.metadata.name));
    const limit = pLimit(this.#options.concurrency);
    const previous = new Map((live.status?.clusters ?? []).map((entry) => [entry.name, vetRecordedEntry(entry)]));
    const observed = selected.map((member) => ({ member, seen: this.#observe(cluster, member) }));
    // Which revision each member runs: the rollout moves them; nothing moves while the spec is refused.
    const target = held === undefined ? await this.#options.revisions.ensure(cluster) : undefined;
    const now = new Date();
    // A member the newest revision is invalid for stays where it is: the others go on.
    const blocked = new Map(target ? selected.map((member) => [member.metadata.name, templateProblem(templateFor(target.data, member))]) : []);
    const inputs = observed.map(({ member, seen }) => rolloutMember(member, seen, previous.get(member.metadata.name), blocked.get(member.metadata.name)));
    const plan = target === undefined ? undefined : planRollout({ members: inputs, target: target.name, rollout: cluster.spec.rollout, now });
    const namespace = cluster.metadata.namespace ?? '';
    const lookup: RevisionLookup = (name) => (name === target?.name ? { ok: true, data: target.data } : this.#options.revisions.get(namespace, name));
    const [views, removals] = await Promise.all([
      Promise.all(
        observed.map(({ member, seen }) =>
          limit(() =>
            this.#sync(cluster, member, seen, plan && held === undefined ? { plan, lookup, blocked: blocked.get(member.metadata.name) } : (held ?? '')),
          ),
        ),
      ),
      Promise.all(
        this.#options.registry
          .all()
          .filter((connection) => held === undefined && !selectedNames.has(connection.name))
          .map((connection) => limit(() => this.#removeFrom(connection, cluster, cluster.spec.deletionPolicy === 'Orphan'))),
      ),
    ]);
    const pending = removals.filter((left): left is string => left !== undefined);
    if (pending.length > 0) logger.warn({ pending }, 'could not remove replicas from deselected members; retrying');

    // What members report is checked before it reaches the status, DNS, Redis or the API.
    const waitMs = this.#options.noOperatorAfterMs;
    const reports = views.map((view) => vetMemberReport(view.replica));
    const entries = views.map((view, i) => {
      const report = reports[i] ?? vetMemberReport(undefined);
      const noOperator = noOperatorMessage(report.replica, view.name, now, waitMs);
      return withReportProblem(
        memberEntry({ ...view, replica: report.replica, applyError: view.applyError ?? report.unusable, noOperator }, previous.get(view.name)),
        report,
      );
    });
    const invalid = views.filter((_view, i) => reports[i]?.unpublishable !== undefined).map((view) => view.name);
    const reach = views.map((view) => memberReach(view, this.#options.registry.get(view.name)?.health.last?.ok === false));
    const dns = this.#dns(cluster, entries, reach, invalid);
    const status = withRollout(clusterStatus(cluster, entries, dns, now, held), plan, cluster, now);
    await this.#write(live, status);
    const unpruned = plan ? await this.#options.revisions.prune(cluster, new Set([...plan.pins.values(), plan.status.targetRevision ?? ''])) : [];
    if (unpruned.length > 0) logger.warn({ unpruned }, 'could not delete revisions no member runs; retrying');
    await this.#reportNewProblems(live, entries, reports, previous);
    // Still probing or listing a member: look again soon rather than wait for an event that an empty member never sends.
    const learning = views.some((view) => view.reachability.state === 'unknown' || (view.reachability.state === 'ready' && !view.cacheSynced));
    // Failing static hangs on members whose probes merely failed: a probe that works again changes no member's state, so look again.
    const retry = pending.length > 0 || learning || dns.failingStatic !== undefined;
    // A replica still waiting for its operator's first status: look again when the wait is up.
    const deadlines = views.map((view) => noOperatorDeadline(view.replica, waitMs)?.getTime() ?? Infinity).filter((deadline) => deadline > now.getTime());
    const untilNoOperator = Math.min(...deadlines) - now.getTime() + 100;
    const after = Math.min(retry || unpruned.length > 0 ? RETRY_MS : Infinity, untilNoOperator, plan?.requeueAfterMs ?? Infinity);
    return Number.isFinite(after) ? { requeueAfterMs: after } : undefined;
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

  /**
   * Applies the member's pinned revision, merged for it, in one member (when it can, and nothing
   * holds it) and reports what the hub sees there. A merged spec the schema refuses is that
   * member's error; the others go on.
   */
  async #sync(
    cluster: PrometheusCluster,
    member: MemberCluster,
    observed: ObservedMember,
    rollout: { plan: RolloutPlan; lookup: RevisionLookup; blocked: string | undefined } | string,
  ): Promise<MemberView> {
    const name = member.metadata.name;
    const connection = this.#options.registry.get(name);
    const view = { name, ...observed, conflict: false, applyError: undefined };
    if (!connection || observed.reachability.state !== 'ready' || !view.cacheSynced) return view;
    if (observed.conflict) return { ...view, conflict: true };
    if (typeof rollout === 'string') return { ...view, held: rollout };
    const target = rollout.plan.status.targetRevision ?? '';
    const pinned = pinnedTemplate(rollout.lookup, rollout.plan.pins.get(name) ?? target, target, member);
    const { revision } = pinned;
    if ('problem' in pinned) return { ...view, revision, applyError: pinned.problem };
    const merged = pinned.template;
    const pin = { revision, overrides: merged.overrides };
    const problem = templateProblem(merged);
    if (!merged.ok || problem) return { ...view, ...pin, applyError: problem };
    const annotations = view.replica?.metadata.annotations ?? {};
    const since =
      annotations[ANNOTATIONS.revision] === revision ? (annotations[ANNOTATIONS.revisionTime] ?? new Date().toISOString()) : new Date().toISOString();
    const sourceGeneration = revision === target ? (cluster.metadata.generation ?? 0) : sourceGenerationOf(view.replica);
    try {
      const desired = desiredReplica(cluster, member, { template: merged.template, revision, since, sourceGeneration });
      const applied = await this.#applier.apply(connection.resources, desired, view.replica);
      // Still running its revision, but the newest cannot be merged for it: the member's error.
      const blocked = rollout.blocked === undefined || revision === target ? undefined : `${rollout.blocked}; keeps running revision ${revision}`;
      return { ...view, ...pin, replica: applied.object, applyError: blocked };
    } catch (error) {
      return { ...view, ...pin, applyError: isConnectionError(error) ? `member unreachable: ${error.message}` : errorMessage(error) };
    }
  }

  /**
   * Removes (or, orphaning, leaves) this cluster's replica in a member; the member's name when it
   * could not. Only a replica made for this very member: another MemberCluster reaching the same
   * namespace (a copied credential) must not take a live member's replica with it.
   */
  async #removeFrom(connection: MemberConnection, cluster: PrometheusCluster, orphan: boolean): Promise<string | undefined> {
    const replica = connection.replicas.get(`${connection.namespace}/${cluster.metadata.name}`);
    if (!replica || orphan || !isManagedBy(replica, { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name })) return undefined;
    if (replica.metadata.labels?.[LABELS.member] !== connection.name) return undefined;
    try {
      await connection.resources.delete(replica.metadata.name, replica.metadata.namespace, { preconditions: { uid: replica.metadata.uid ?? '' } });
      await this.#options.events.record(
        cluster,
        'Normal',
        'ReplicaRemoved',
        `removed PrometheusReplica ${objectKey(replica)} from ${connection.name}, which is no longer selected`,
      );
      return undefined;
    } catch (error) {
      return `${connection.name}: ${errorMessage(error)}`;
    }
  }

  #dns(cluster: PrometheusCluster, entries: readonly MemberEntry[], reach: readonly MemberReach[], invalid: readonly string[]): DNSOutcome {
    const { baseDomain, dns } = cluster.spec;
    const none = { records: [], names: [], heldBy: undefined, newer: [], unpublished: [], invalid, refused: [], standby: [], failingStatic: undefined };
    if (!baseDomain) return none;
    const names = publicHosts(baseDomain, cluster.spec.grafana?.enabled === true);
    const { heldBy, newer } = baseDomainClaim(cluster, this.#options.clusters.byIndex('baseDomain', baseDomain));
    const { targets, failingStatic } = dnsTargets({
      members: entries.map((entry, i) => ({ entry, reach: reach[i] ?? 'unknown' })),
      published: cluster.status?.endpoints ?? [],
      minHealthyPercent: dns.minHealthyPercent,
      wasFailing: findCondition(cluster.status?.conditions, CLUSTER_CONDITIONS.dnsPublished)?.reason === FAILING_STATIC,
    });
    const built = buildRecords(names, dns.ttl, dns.routingPolicy, targets);
    return { ...none, ...built, names, heldBy, newer, failingStatic: heldBy === undefined && built.records.length > 0 ? failingStatic : undefined };
  }

  /** A Warning Event for each member whose report newly became unusable or unpublishable. */
  async #reportNewProblems(
    cluster: PrometheusCluster,
    entries: readonly MemberEntry[],
    reports: readonly MemberReport[],
    previous: ReadonlyMap<string, MemberEntry>,
  ): Promise<void> {
    for (const [i, entry] of entries.entries()) {
      const problem = reports[i]?.unpublishable ?? reports[i]?.unusable;
      if (problem === undefined || previous.get(entry.name)?.message === entry.message) continue;
      await this.#options.events.record(cluster, 'Warning', 'InvalidMemberReport', `${entry.name}: ${problem}`);
    }
  }

  async #write(live: PrometheusCluster, status: NonNullable<PrometheusCluster['status']>): Promise<void> {
    const written = await updateStatus(live, status, {
      applier: this.#applier,
      resources: this.#resources,
      events: this.#options.events,
      transitions: { benign: PROGRESSING },
    });
    if (written.changed) await this.#failingStaticEvents(live, status);
    const targets = (status.endpoints ?? []).reduce((sum, record) => sum + record.targets.length, 0);
    const key = { namespace: live.metadata.namespace ?? '', name: live.metadata.name };
    this.#options.hubMetrics.endpointTargets.set(key, targets);
    this.#options.hubMetrics.dnsFailingStatic.set(key, findCondition(status.conditions, CLUSTER_CONDITIONS.dnsPublished)?.reason === FAILING_STATIC ? 1 : 0);
    await this.#options.onStatus?.({ ...live, status });
  }

  /** DNSPublished stays True while failing static, so its start and end get Events of their own. */
  async #failingStaticEvents(live: PrometheusCluster, status: NonNullable<PrometheusCluster['status']>): Promise<void> {
    const before = findCondition(live.status?.conditions, CLUSTER_CONDITIONS.dnsPublished);
    const after = findCondition(status.conditions, CLUSTER_CONDITIONS.dnsPublished);
    if (after?.reason === FAILING_STATIC && before?.reason !== FAILING_STATIC)
      await this.#options.events.record(live, 'Warning', FAILING_STATIC, after.message);
    if (before?.reason === FAILING_STATIC && after?.reason !== FAILING_STATIC) {
      await this.#options.events.record(live, 'Normal', 'FailingStaticEnded', `no longer failing static: ${after?.message ?? 'no DNS records'}`);
    }
  }

  async #reportInvalid(live: PrometheusCluster, errors: string[]): Promise<undefined> {
    const conditions = setConditions(
      live.status?.conditions,
      [{ type: 'Ready', status: 'False', reason: 'SpecInvalid', message: errors.join('; ') }],
      live.metadata.generation,
      new Date(),
    );
    await this.#write(live, {
      ...live.status,
      ...(live.metadata.generation !== undefined ? { observedGeneration: live.metadata.generation } : {}),
      phase: 'Degraded',
      conditions,
    });
    return undefined;
  }

  /**
   * Deletes the cluster's replicas in every member before letting it go (`Orphan` leaves them),
   * retrying unreachable members until the deletion timeout, then gives up with a Warning Event
   * naming what was left.
   */
  #finalize(cluster: PrometheusCluster): Promise<ReconcileResult | undefined> {
    const orphan = cluster.spec.deletionPolicy === 'Orphan';
    return finalizeWithin(cluster, {
      resources: this.#resources,
      finalizer: FINALIZERS.memberReplicas,
      events: this.#options.events,
      timeoutMs: this.#options.deletionTimeoutMs,
      retryMs: RETRY_MS,
      cleanUp: async () => {
        const listed = new Set((cluster.status?.clusters ?? []).map((entry) => entry.name));
        const left: string[] = [];
        for (const member of this.#options.members.list()) {
          const connection = this.#options.registry.get(member.metadata.name);
          if (!connection?.replicas.hasSynced) {
            // Only a member the cluster ran on, and the hub ever reached, can hold a replica to delete.
            const reached = member.status?.lastProbeTime !== undefined;
            if (!orphan && reached && listed.has(member.metadata.name)) left.push(`${member.metadata.name} (unreachable: its replicas could not be listed)`);
            continue;
          }
          const failed = await this.#removeFrom(connection, cluster, orphan);
          if (failed) left.push(failed);
        }
        return left;
      },
      leftBehind: (left) => `replicas may be left in: ${left.join('; ')}`,
      released: () => {
        const key = { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name };
        this.#options.hubMetrics.endpointTargets.remove(key);
        this.#options.hubMetrics.dnsFailingStatic.remove(key);
      },
    });
  }
}

/** The status with the rollout's part: status.rollout and RolloutProgressing (kept as they were while nothing is planned). */
function withRollout(
  status: NonNullable<PrometheusCluster['status']>,
  plan: RolloutPlan | undefined,
  cluster: PrometheusCluster,
  now: Date,
): NonNullable<PrometheusCluster['status']> {
  if (!plan) return { ...status, ...(cluster.status?.rollout ? { rollout: cluster.status.rollout } : {}) };
  return { ...status, rollout: plan.status, conditions: setConditions(status.conditions, [rolloutCondition(plan)], cluster.metadata.generation, now) };
}
