import type { PrometheusReplica } from '@promfleet/api';
import type { Applier } from '@promfleet/kube/apply';
import type { SharedInformer } from '@promfleet/kube/cache';
import { errorMessage, isNotFound, KubeApiError, type ResourceClient } from '@promfleet/kube/client';
import type { EventRecorder } from '@promfleet/kube/status';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPersistentVolumeClaim, IPod } from 'kubernetes-models/v1';

import { markedDeleted } from '../controller/child-sync.ts';
import { immutableChanges, planClaims, podsWithoutClaims, refusalKey, type ClaimProblem } from './claims-plan.ts';

export interface StorageMigrationOptions {
  readonly applier: Applier;
  readonly statefulSets: ResourceClient<IStatefulSet>;
  readonly claims: ResourceClient<IPersistentVolumeClaim>;
  readonly claimCache: SharedInformer<IPersistentVolumeClaim>;
  readonly pods: ResourceClient<IPod>;
  readonly podCache: SharedInformer<IPod>;
  readonly events: EventRecorder;
}

/** What applying one StatefulSet did: a change to report, or nothing; and the StatefulSet as it left it. */
export type StatefulSetOutcome = { readonly changed: string | undefined; readonly object: IStatefulSet | undefined };

/**
 * Applies StatefulSets whose storage may change, the way mature operators do. The API server
 * refuses any change to volumeClaimTemplates (and a few other fields), so such a StatefulSet is
 * deleted with orphan propagation — its pods keep running, unowned — and created again with
 * the new spec, which adopts them. A pod that lacks a claim the new spec has is deleted, one at
 * a time and only while the others are ready, to come back with it (the StatefulSet controller
 * cannot add a volume to a running pod and would retry that forever).
 * Existing claims smaller than the template are expanded in place; what the API server refuses
 * (a StorageClass without allowVolumeExpansion) is remembered and reported, not retried.
 */
export class StorageMigration {
  readonly #options: StorageMigrationOptions;
  readonly #refused = new Map<string, string>();

  constructor(options: StorageMigrationOptions) {
    this.#options = options;
  }

  async apply(replica: PrometheusReplica, desired: IStatefulSet, live: IStatefulSet | undefined): Promise<StatefulSetOutcome> {
    const name = desired.metadata?.name ?? '';
    const { statefulSets, applier, events } = this.#options;
    // Being deleted for a recreation: its deletion event brings us back to create it.
    if (live?.metadata?.deletionTimestamp) return { changed: undefined, object: undefined };
    const changes = live ? immutableChanges(desired, live) : [];
    if (live && changes.length > 0) {
      const { namespace, uid = '' } = live.metadata ?? {};
      await statefulSets.delete(name, namespace, { propagationPolicy: 'Orphan', preconditions: { uid } });
      await events.record(
        replica,
        'Normal',
        'StatefulSetRecreated',
        `StatefulSet ${name} is recreated to change ${changes.join(', ')}, which cannot be updated in place; its pods keep running and are adopted`,
      );
      return { changed: `StatefulSet/${name} (recreating: ${changes.join(', ')})`, object: markedDeleted(live) };
    }
    const result = await applier.apply(statefulSets, desired, live);
    const rolled = live ? await this.#rollOntoClaims(replica, desired) : undefined;
    return { changed: [result.changed ? `StatefulSet/${name}` : undefined, rolled].filter(Boolean).join(', ') || undefined, object: result.object };
  }

  async #rollOntoClaims(replica: PrometheusReplica, set: IStatefulSet): Promise<string | undefined> {
    const namespace = set.metadata?.namespace ?? 'default';
    const own = this.#options.podCache
      .byIndex('namespace', namespace)
      .filter((pod) => Object.entries(set.spec?.selector.matchLabels ?? {}).every(([key, value]) => pod.metadata?.labels?.[key] === value));
    const stuck = podsWithoutClaims(set, own).filter((pod) => !pod.metadata?.deletionTimestamp);
    const first = stuck[0];
    if (!first) return undefined;
    const ready = (pod: IPod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
    // One at a time, and never while another pod of the set is down: an HA pair keeps serving.
    if (own.some((pod) => pod !== first && (pod.metadata?.deletionTimestamp !== undefined || !ready(pod)))) return undefined;
    const podName = first.metadata?.name ?? '';
    await this.#options.pods.delete(podName, namespace, { preconditions: { uid: first.metadata?.uid ?? '' } });
    await this.#options.events.record(
      replica,
      'Normal',
      'PodRolledOntoClaims',
      `pod ${podName} is restarted to mount its claims (${(set.spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name ?? '').join(', ')})`,
    );
    return `Pod/${podName} (restarted onto its claims)`;
  }

  /** Expands the claims of these StatefulSets that are smaller than their templates; returns what still does not match. */
  async resizeClaims(replica: PrometheusReplica, desired: readonly IStatefulSet[]): Promise<{ changed: string[]; problems: ClaimProblem[] }> {
    const { claims, claimCache, events } = this.#options;
    const namespace = replica.metadata.namespace ?? 'default';
    const existing = claimCache.byIndex('namespace', namespace);
    const changed: string[] = [];
    const problems: ClaimProblem[] = [];
    for (const set of desired) {
      const plan = planClaims(set, existing, this.#refused);
      problems.push(...plan.problems);
      for (const resize of plan.resize) {
        try {
          await claims.patch(resize.claim, namespace, { spec: { resources: { requests: { storage: resize.to } } } });
          changed.push(`PersistentVolumeClaim/${resize.claim} (${resize.from} → ${resize.to})`);
          await events.record(replica, 'Normal', 'VolumeClaimExpanding', `claim ${resize.claim} requested to grow from ${resize.from} to ${resize.to}`);
          problems.push({ kind: 'resizing', claim: resize.claim, message: `claim ${resize.claim} is being expanded from ${resize.from} to ${resize.to}` });
        } catch (error) {
          if (isNotFound(error)) continue;
          // 403 from the PersistentVolumeClaimResize admission (the StorageClass does not allow
          // expansion, or the claim is not bound yet) and 422 from validation: the claim keeps its size.
          if (!(error instanceof KubeApiError) || (error.code !== 403 && error.code !== 422)) throw error;
          const reason = error.status?.message ?? errorMessage(error);
          this.#refused.set(refusalKey(resize.uid, resize.to), reason);
          problems.push({
            kind: 'refused',
            claim: resize.claim,
            message: `claim ${resize.claim} stays ${resize.from}, the API server refused to expand it to ${resize.to}: ${reason}`,
          });
        }
      }
    }
    return { changed, problems };
  }
}
