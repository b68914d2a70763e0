import type { PrometheusReplica } from '@promfleet/api';

import type { ClusterReconciler } from './cluster-reconciler.ts';
import { ownerKey } from './desired-replica.ts';

export interface ReplicaEventRouting {
  readonly reconciler: Pick<ClusterReconciler, 'needsFullPass' | 'replicaChanged'>;
  readonly queue: { enqueue(key: string): void; enqueueAfter(key: string, delayMs: number): void };
  /** The PrometheusClusters a replica may concern (its owner; for one the hub does not manage, any of its name). */
  readonly clustersOf: (replica: PrometheusReplica) => readonly string[];
}

/**
 * Where a change to a replica in a member goes. A hub-managed replica is its member's news: its
 * PrometheusCluster looks at that member alone, when the reconciler's batch window allows, with
 * whatever else arrived by then, and against what its last pass applied or read — a status change
 * (its operator reported) or the watch echoing the hub's own apply costs no full pass, whichever
 * order the apply's answer and its echo arrive in; anything else (drift) does. A replica the hub
 * does not manage asks every PrometheusCluster of its name for a full pass at once.
 */
export function routeReplicaChange(routing: ReplicaEventRouting, replica: PrometheusReplica, member: string): void {
  const owner = ownerKey(replica);
  if (owner) {
    routing.queue.enqueueAfter(owner, routing.reconciler.replicaChanged(owner, member));
    return;
  }
  for (const key of routing.clustersOf(replica)) {
    routing.reconciler.needsFullPass(key);
    routing.queue.enqueue(key);
  }
}
