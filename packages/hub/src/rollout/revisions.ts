import { createHash } from 'node:crypto';

import {
  ANNOTATIONS,
  API_VERSION,
  LABELS,
  override,
  PROMETHEUS_CLUSTER,
  templateFields,
  type Override,
  type PrometheusCluster,
  type ReplicaTemplate,
} from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, resourceType, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import type { IControllerRevision } from 'kubernetes-models/apps/v1';
import { z } from 'zod';

/**
 * The templates a PrometheusCluster's members run, kept in the hub as ControllerRevisions (as the
 * DaemonSet and StatefulSet controllers keep theirs): one per distinct template + overrides,
 * named after its hash, owned by the PrometheusCluster (so the garbage collector removes them with
 * it), immutable. A member is pinned to one by name; drift repair re-applies that one.
 */
export const ControllerRevisions = resourceType<IControllerRevision>('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true);

/** What a revision holds: the base template fields and the overrides. */
export interface RevisionData {
  readonly template: Partial<ReplicaTemplate>;
  readonly overrides?: readonly Override[] | undefined;
}

// Anyone allowed to edit ControllerRevisions in the hub could change one: checked when read. The
// template itself is checked per member, merged, with the full schema (../fanout/member-spec.ts).
const revisionData = z.object({ template: z.record(z.string(), z.unknown()), overrides: z.array(override).optional() });

export function revisionDataOf(spec: PrometheusCluster['spec']): RevisionData {
  return { template: templateFields(spec), ...(spec.overrides?.length ? { overrides: spec.overrides } : {}) };
}

/** `<cluster>-<10 hex of the data's hash>`: the same spec gives the same name, so reverting a change finds the old revision. */
export function revisionName(cluster: PrometheusCluster, data: RevisionData): string {
  const hash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 10);
  return `${cluster.metadata.name}-${hash}`;
}

export function desiredRevision(cluster: PrometheusCluster, data: RevisionData, revision: number): IControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(cluster, data),
      namespace: cluster.metadata.namespace ?? '',
      labels: { [LABELS.hubName]: cluster.metadata.name },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: PROMETHEUS_CLUSTER.kind, name: cluster.metadata.name, uid: cluster.metadata.uid ?? '', controller: true },
      ],
    },
    data: data,
    revision,
  };
}

/** The revision of a PrometheusCluster's spec, as `Revisions.ensure` made sure of it. */
export interface EnsuredRevision {
  readonly name: string;
  readonly data: RevisionData;
}

/** The revisions of the PrometheusClusters, read from the hub's cache of them. */
export class Revisions {
  readonly #cache: Informer<IControllerRevision>;
  readonly #resources: ResourceClient<IControllerRevision>;
  readonly #applier: Applier;
  /** Revisions this hub is creating (by key) and deleting (by uid), until the watch shows it done. */
  readonly #creating = new Set<string>();
  readonly #deleting = new Set<string>();

  constructor(hub: KubeClient, cache: Informer<IControllerRevision>, fieldManager: string) {
    this.#cache = cache;
    this.#resources = new ResourceClient(hub, ControllerRevisions);
    this.#applier = new Applier(fieldManager, { hashAnnotation: ANNOTATIONS.appliedHash });
  }

  /** A revision's data, or why it cannot be used (missing, or not what the hub writes). */
  get(namespace: string, name: string): { ok: true; data: RevisionData } | { ok: false; message: string } {
    const object = this.#cache.get(`${namespace}/${name}`);
    if (!object) return { ok: false, message: `ControllerRevision ${namespace}/${name} does not exist` };
    const parsed = revisionData.safeParse(object.data);
    if (!parsed.success)
      return { ok: false, message: `ControllerRevision ${namespace}/${name} does not hold a promfleet template: ${parsed.error.issues[0]?.message ?? ''}` };
    return { ok: true, data: parsed.data };
  }

  /** Makes sure the revision of the cluster's spec exists; its name and data (which the cache may not have yet). */
  async ensure(cluster: PrometheusCluster): Promise<EnsuredRevision> {
    const data = revisionDataOf(cluster.spec);
    const name = revisionName(cluster, data);
    const namespace = cluster.metadata.namespace ?? '';
    if (this.#cache.get(`${namespace}/${name}`)) return { name, data };
    const newest = Math.max(0, ...this.#owned(cluster).map((revision) => revision.revision));
    // Noted before the request: the watch may deliver the revision before the response arrives.
    this.#creating.add(`${namespace}/${name}`);
    try {
      await this.#applier.apply(this.#resources, desiredRevision(cluster, data, newest + 1), undefined);
    } catch (error) {
      this.#creating.delete(`${namespace}/${name}`);
      throw error;
    }
    return { name, data };
  }

  /** Deletes the cluster's revisions no member is pinned to any more; a message for each it could not. */
  async prune(cluster: PrometheusCluster, keep: ReadonlySet<string>): Promise<string[]> {
    const problems: string[] = [];
    for (const revision of this.#owned(cluster).filter((object) => !keep.has(object.metadata?.name ?? ''))) {
      const uid = revision.metadata?.uid ?? '';
      this.#deleting.add(uid);
      try {
        await this.#resources.delete(revision.metadata?.name ?? '', revision.metadata?.namespace, { preconditions: { uid } });
      } catch (error) {
        this.#deleting.delete(uid);
        problems.push(`${revision.metadata?.name ?? ''}: ${errorMessage(error)}`);
      }
    }
    return problems;
  }

  /**
   * Whether a watch event of `revision` (the cache already updated by it) is the echo of this
   * hub's own create or prune: the pass that wrote it has already used it, so it is no news to
   * the fan-out. Anyone else's create, edit or delete of a revision is. Each echo counts once.
   */
  isOwnChange(revision: IControllerRevision): boolean {
    const key = `${revision.metadata?.namespace ?? ''}/${revision.metadata?.name ?? ''}`;
    const cached = this.#cache.get(key);
    if (cached) return cached.metadata?.resourceVersion === revision.metadata?.resourceVersion && this.#creating.delete(key);
    return this.#deleting.delete(revision.metadata?.uid ?? '');
  }

  #owned(cluster: PrometheusCluster): IControllerRevision[] {
    return this.#cache
      .list()
      .filter(
        (revision) =>
          revision.metadata?.namespace === cluster.metadata.namespace &&
          revision.metadata?.ownerReferences?.some((owner) => owner.kind === PROMETHEUS_CLUSTER.kind && owner.uid === cluster.metadata.uid) === true,
      );
  }
}
