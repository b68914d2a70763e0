import type { PrometheusReplica } from '@promfleet/api';
import { statusOnlyChange } from '@promfleet/kube/controller';

import type { ClusterReconciler } from './cluster-reconciler.ts';
import { ownerKey } from './desired-replica.ts';

export interface ReplicaEventRouting {
  readonly reconciler: Pick<ClusterReconciler, 'needsFullPass' | 'replicaStatusChanged' | 'appliedByHub'>;
  readonly queue: { enqueue(key: string): void; enqueueAfter(key: string, delayMs: number): void };
  /** The PrometheusClusters a replica may concern (its owner; for one the hub does not manage, any of its name). */
  readonly clustersOf: (replica: PrometheusReplica) => readonly string[];
}

/**
 * Where a change to a replica in a member goes. A hub-managed replica whose status alone changed
 * (its operator reported), or that is as the hub's own apply left it (the watch echoing that
 * write), is that member's news only: its PrometheusCluster takes it in without a full pass, when
 * the reconciler's batch window allows, with whatever else arrived by then. Anything else
 * (created or deleted by another hand, its spec or metadata changed — drift to repair) asks for a
 * full pass at once.
 */
export function routeReplicaChange(routing: ReplicaEventRouting, replica: PrometheusReplica, member: string, previous: PrometheusReplica | undefined): void {
  const owner = ownerKey(replica);
  const statusOnly = previous !== undefined && statusOnlyChange(previous, replica);
  if (owner && (statusOnly || routing.reconciler.appliedByHub(owner, member, replica))) {
    routing.queue.enqueueAfter(owner, routing.reconciler.replicaStatusChanged(owner, member));
    return;
  }
  for (const key of routing.clustersOf(replica)) {
    routing.reconciler.needsFullPass(key);
    routing.queue.enqueue(key);
  }
}
