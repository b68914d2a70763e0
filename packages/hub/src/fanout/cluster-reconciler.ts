import {
  ANNOTATIONS,
  disallowedImages,
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

export interface ClusterReconcilerOptions {
  readonly hub: KubeClient;
  readonly clusters: Informer<PrometheusCluster>;
  readonly members: Informer<MemberCluster>;
  readonly secrets: Parameters<typeof loadCredential>[1];
  readonly registry: MemberRegistry;
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
    const refused = disallowedImages(cluster.spec.images, this.#options.allowedImagePrefixes).map(formatFieldError);
    const held = refused.length > 0 ? refused.join('; ') : undefined;
    const members = this.#options.members.list().filter((member) => !member.metadata.deletionTimestamp);
    const selected = members.filter((member) => matchesLabelSelector(cluster.spec.clusterSelector, member.metadata.labels ?? {}));
    const selectedNames = new Set(selected.map((member) => member.metadata.name));
    const limit = pLimit(this.#options.concurrency);
    const previous = new Map((live.status?.clusters ?? []).map((entry) => [entry.name, vetRecordedEntry(entry)]));
    const [views, removals] = await Promise.all([
      Promise.all(selected.map((member) => limit(() => this.#sync(cluster, member, held)))),
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
    const now = new Date();
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
    const status = clusterStatus(cluster, entries, dns, now, held);
    await this.#write(live, status);
    await this.#reportNewProblems(live, entries, reports, previous);
    // Still probing or listing a member: look again soon rather than wait for an event that an empty member never sends.
    const learning = views.some((view) => view.reachability.state === 'unknown' || (view.reachability.state === 'ready' && !view.cacheSynced));
    // Failing static hangs on members whose probes merely failed: a probe that works again changes no member's state, so look again.
    const retry = pending.length > 0 || learning || dns.failingStatic !== undefined;
    // A replica still waiting for its operator's first status: look again when the wait is up.
    const deadlines = views.map((view) => noOperatorDeadline(view.replica, waitMs)?.getTime() ?? Infinity).filter((deadline) => deadline > now.getTime());
    const untilNoOperator = Math.min(...deadlines) - now.getTime() + 100;
    const after = Math.min(retry ? RETRY_MS : Infinity, untilNoOperator);
    return Number.isFinite(after) ? { requeueAfterMs: after } : undefined;
  }

  /** Applies the desired replica in one member (when it can, and nothing holds it) and reports what the hub sees there. */
  async #sync(cluster: PrometheusCluster, member: MemberCluster, held: string | undefined): Promise<MemberView> {
    const name = member.metadata.name;
    const connection = this.#options.registry.get(name);
    const credential = loadCredential(member, this.#options.secrets);
    const reach = reachability(connection?.health, credential.ok ? undefined : credential, new Date(), this.#options.offlineAfterMs);
    const key = `${member.spec.namespace}/${cluster.metadata.name}`;
    const view = {
      name,
      reachability: reach,
      cacheSynced: connection?.replicas.hasSynced ?? false,
      replica: connection?.replicas.get(key),
      conflict: false,
      applyError: undefined,
    };
    if (!connection || reach.state !== 'ready' || !view.cacheSynced) return view;
    const identity = { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name };
    if (view.replica && !isManagedBy(view.replica, identity)) return { ...view, conflict: true };
    if (held !== undefined) return { ...view, held };
    try {
      const applied = await this.#applier.apply(connection.resources, desiredReplica(cluster, member), view.replica);
      return { ...view, replica: applied.object };
    } catch (error) {
      return { ...view, applyError: isConnectionError(error) ? `member unreachable: ${error.message}` : errorMessage(error) };
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
