import { FINALIZERS, LABELS, type MemberCluster, type PrometheusCluster } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, objectKey, type ResourceClient } from '@promfleet/kube/client';
import { finalizeWithin, type ReconcileResult } from '@promfleet/kube/controller';
import type { EventRecorder } from '@promfleet/kube/status';

import type { MemberConnection } from '../members/member-connection.ts';
import type { MemberRegistry } from '../members/member-registry.ts';
import { isManagedBy } from './desired-replica.ts';

/**
 * Removes (or, orphaning, leaves) a PrometheusCluster's replica in a member; the member's name and
 * the error when it could not. Only a replica made for this very member: another MemberCluster
 * reaching the same namespace (a copied credential) must not take a live member's replica with it.
 */
export async function removeReplica(
  connection: MemberConnection,
  cluster: PrometheusCluster,
  orphan: boolean,
  events: EventRecorder,
): Promise<string | undefined> {
  const replica = connection.replicas.get(`${connection.namespace}/${cluster.metadata.name}`);
  if (!replica || orphan || !isManagedBy(replica, { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name })) return undefined;
  if (replica.metadata.labels?.[LABELS.member] !== connection.name) return undefined;
  try {
    await connection.resources.delete(replica.metadata.name, replica.metadata.namespace, { preconditions: { uid: replica.metadata.uid ?? '' } });
    await events.record(
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

export interface ClusterFinalizerOptions {
  readonly resources: ResourceClient<PrometheusCluster>;
  readonly members: Informer<MemberCluster>;
  readonly registry: MemberRegistry;
  readonly events: EventRecorder;
  readonly deletionTimeoutMs: number;
  readonly retryMs: number;
  /** Called once the finalizer is gone. */
  readonly released: () => void;
}

/**
 * Deletes the cluster's replicas in every member before letting it go (`Orphan` leaves them),
 * retrying unreachable members until the deletion timeout, then gives up with a Warning Event
 * naming what was left.
 */
export function finalizeCluster(cluster: PrometheusCluster, options: ClusterFinalizerOptions): Promise<ReconcileResult | undefined> {
  const orphan = cluster.spec.deletionPolicy === 'Orphan';
  return finalizeWithin(cluster, {
    resources: options.resources,
    finalizer: FINALIZERS.memberReplicas,
    events: options.events,
    timeoutMs: options.deletionTimeoutMs,
    retryMs: options.retryMs,
    cleanUp: async () => {
      const listed = new Set((cluster.status?.clusters ?? []).map((entry) => entry.name));
      const left: string[] = [];
      for (const member of options.members.list()) {
        const connection = options.registry.get(member.metadata.name);
        if (!connection?.replicas.hasSynced) {
          // Only a member the cluster ran on, and the hub ever reached, can hold a replica to delete.
          const reached = member.status?.lastProbeTime !== undefined;
          if (!orphan && reached && listed.has(member.metadata.name)) left.push(`${member.metadata.name} (unreachable: its replicas could not be listed)`);
          continue;
        }
        const failed = await removeReplica(connection, cluster, orphan, options.events);
        if (failed) left.push(failed);
      }
      return left;
    },
    leftBehind: (left) => `replicas may be left in: ${left.join('; ')}`,
    released: options.released,
  });
}
