import { ANNOTATIONS, FIELD_MANAGERS, FINALIZERS, LABELS, validate, type MemberCluster, type PrometheusCluster, MemberClusters } from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, isConnectionError, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { finalizeWithin, updateStatus, type ReconcileContext, type ReconcileResult } from '@promfleet/kube/controller';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import { addFinalizer, findCondition, hasFinalizer, type EventRecorder } from '@promfleet/kube/status';
import type { ISecret } from 'kubernetes-models/v1';

import { ownerKey } from '../fanout/desired-replica.ts';
import type { HubMetrics } from '../hub-metrics.ts';
import { deleteJoinCredential } from './credential-cleanup.ts';
import { loadCredential } from './credential.ts';
import type { MemberConnection } from './member-connection.ts';
import type { MemberRegistry } from './member-registry.ts';
import { heartbeatInMs, MEMBER_CONDITIONS, memberStatus, reachability, type MemberTimings } from './member-status.ts';

export interface MemberReconcilerOptions {
  readonly hub: KubeClient;
  readonly members: Informer<MemberCluster>;
  readonly secrets: Informer<ISecret>;
  readonly clusters: Informer<PrometheusCluster>;
  readonly registry: MemberRegistry;
  readonly events: EventRecorder;
  readonly metrics: KitMetrics;
  readonly hubMetrics: HubMetrics;
  readonly logger: Logger;
  readonly timings: MemberTimings & {
    readonly probeIntervalMs: number;
    readonly reviewIntervalMs: number;
    readonly requestTimeoutMs: number;
    readonly deletionTimeoutMs: number;
  };
  readonly writeGuard: () => boolean;
  /** A member's reachability changed: the PrometheusClusters must look again. */
  readonly onReachabilityChange: (member: string) => void;
  /** Something the member's connection found changes its status (not every probe or contact): reconcile it. */
  readonly onProbe: (member: string) => void;
  readonly onReplicaChange: Parameters<MemberRegistry['ensure']>[0]['onReplicaChange'];
}

const RETRY_DELETION_MS = 5_000;

/**
 * Keeps one connection per MemberCluster from its credential Secret, turns what the connection
 * knows (last sign of life, probes, reviews) into the MemberCluster's status when it changes, and on deletion removes the member's hub-managed
 * replicas before letting the MemberCluster go (bounded by the deletion timeout).
 */
/** CredentialExpiring=False is the good state. */
const CREDENTIAL_FINE: ReadonlySet<string> = new Set(['Valid', 'NoExpiry']);

export class MemberReconciler {
  readonly #options: MemberReconcilerOptions;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #resources: ResourceClient<MemberCluster>;
  readonly #reachable = new Map<string, string>();
  /** By cached object (the cache replaces an object when it changes, never edits it). */
  readonly #checked = new WeakMap<MemberCluster, MemberCluster>();

  constructor(options: MemberReconcilerOptions) {
    this.#options = options;
    this.#resources = new ResourceClient(options.hub, MemberClusters);
  }

  async reconcile({ key: name }: ReconcileContext): Promise<ReconcileResult | undefined> {
    const { members, registry } = this.#options;
    const live = members.get(name);
    if (!live) {
      await registry.remove(name);
      this.#forget(name);
      return undefined;
    }
    const member = this.#parsed(live);
    const credential = loadCredential(member, this.#options.secrets);
    const connection = credential.ok ? await this.#connect(member, credential) : undefined;
    if (!credential.ok) await registry.remove(name);

    if (live.metadata.deletionTimestamp) return this.#finalize(live, connection);
    if (!hasFinalizer(live, FINALIZERS.memberReplicas)) await addFinalizer(this.#resources, live, FINALIZERS.memberReplicas);

    const now = new Date();
    const problem = credential.ok ? undefined : credential;
    const operatorVersion = connection?.operatorVersion ?? live.status?.operatorVersion;
    const status = { ...memberStatus(live, problem, connection?.health, now, this.#options.timings), ...(operatorVersion ? { operatorVersion } : {}) };
    await updateStatus(live, status, {
      applier: this.#applier,
      resources: this.#resources,
      events: this.#options.events,
      transitions: { benign: CREDENTIAL_FINE },
    });
    this.#options.hubMetrics.memberReady.set({ member: name }, findCondition(status.conditions, MEMBER_CONDITIONS.ready)?.status === 'True' ? 1 : 0);
    const expiresAt = credential.ok ? credential.expiresAt : undefined;
    if (expiresAt) this.#options.hubMetrics.credentialExpiry.set({ member: name }, expiresAt.getTime() / 1000);
    else this.#options.hubMetrics.credentialExpiry.remove({ member: name });

    const state = reachability(connection?.health, problem, now, this.#options.timings.offlineAfterMs).state;
    if (this.#reachable.get(name) !== state) {
      this.#reachable.set(name, state);
      this.#options.onReachabilityChange(name);
    }
    // The connection calls when reachability or findings change; the heartbeat is ours to keep.
    const { heartbeatMs } = this.#options.timings;
    return connection ? { requeueAfterMs: heartbeatInMs(name, status, now, heartbeatMs) ?? heartbeatMs } : undefined;
  }

  /**
   * The spec and metadata with defaults, checked once per version of the object: probes and
   * reports call for reconciles of a MemberCluster that has not changed. The status (the hub's
   * own, read from `live`) is left out of the check.
   */
  #parsed(live: MemberCluster): MemberCluster {
    const known = this.#checked.get(live);
    if (known) return known;
    const parsed = validate('MemberCluster', { ...live, status: undefined });
    const member = parsed.ok ? parsed.value : live;
    this.#checked.set(live, member);
    return member;
  }

  #connect(member: MemberCluster, credential: Extract<ReturnType<typeof loadCredential>, { ok: true }>): Promise<MemberConnection> {
    const { timings } = this.#options;
    return this.#options.registry.ensure({
      name: member.metadata.name,
      namespace: member.spec.namespace,
      kubeConfig: credential.kubeConfig,
      expiresAt: credential.expiresAt,
      fingerprint: credential.fingerprint,
      probeIntervalMs: timings.probeIntervalMs,
      reviewIntervalMs: timings.reviewIntervalMs,
      offlineAfterMs: timings.offlineAfterMs,
      requestTimeoutMs: timings.requestTimeoutMs,
      metrics: this.#options.metrics,
      logger: this.#options.logger,
      writeGuard: this.#options.writeGuard,
      onProbe: (connection) => {
        this.#options.onProbe(connection.name);
      },
      onReplicaChange: this.#options.onReplicaChange,
    });
  }

  /**
   * Deletes the replicas the hub manages in a member that leaves (unless kept by annotation or
   * by their PrometheusCluster's `deletionPolicy: Orphan`), retrying an unreachable member
   * until the deletion timeout, then the credential Secret join stored for it, and lets the
   * MemberCluster go with a Warning naming what is left.
   */
  #finalize(member: MemberCluster, connection: MemberConnection | undefined): Promise<ReconcileResult | undefined> {
    const name = member.metadata.name;
    return finalizeWithin(member, {
      resources: this.#resources,
      finalizer: FINALIZERS.memberReplicas,
      events: this.#options.events,
      timeoutMs: this.#options.timings.deletionTimeoutMs,
      retryMs: RETRY_DELETION_MS,
      cleanUp: async () => {
        const keep = member.metadata.annotations?.[ANNOTATIONS.keepReplicas] === 'true';
        // A member never reached (no review ever succeeded) holds nothing the hub created.
        if (keep || member.status?.lastProbeTime === undefined) return [];
        if (!connection?.replicas.hasSynced) return [`the replicas in ${name} (its replicas could not be listed)`];
        const left: string[] = [];
        for (const replica of connection.replicas.list()) {
          const owner = ownerKey(replica);
          // Only replicas made for this member: not another's that shares its namespace through a copied credential.
          if (!owner || replica.metadata.labels?.[LABELS.member] !== name || this.#options.clusters.get(owner)?.spec.deletionPolicy === 'Orphan') continue;
          try {
            await connection.resources.delete(replica.metadata.name, replica.metadata.namespace);
          } catch (error) {
            left.push(`${replica.metadata.namespace ?? ''}/${replica.metadata.name} (${isConnectionError(error) ? 'unreachable' : errorMessage(error)})`);
          }
        }
        return left;
      },
      leftBehind: (left) => `left in the member: ${left.join(', ')}`,
      released: async () => {
        await this.#options.registry.remove(name);
        this.#forget(name);
        await deleteJoinCredential(this.#options.hub, this.#options.secrets, member, this.#options.events);
      },
    });
  }

  #forget(name: string): void {
    this.#options.hubMetrics.memberReady.remove({ member: name });
    this.#options.hubMetrics.credentialExpiry.remove({ member: name });
    if (this.#reachable.delete(name)) this.#options.onReachabilityChange(name);
  }
}
