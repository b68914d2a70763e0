import type { PrometheusReplica } from '@promfleet/api';
import { statusOnlyChange } from '@promfleet/kube/controller';

import type { ClusterReconciler } from './cluster-reconciler.ts';
import { ownerKey } from './desired-replica.ts';

export interface ReplicaEventRouting {
  readonly reconciler: Pick<ClusterReconciler, 'needsFullPass' | 'replicaStatusChanged'>;
  readonly queue: { enqueue(key: string): void; enqueueAfter(key: string, delayMs: number): void };
  /** The PrometheusClusters a replica may concern (its owner; for one the hub does not manage, any of its name). */
  readonly clustersOf: (replica: PrometheusReplica) => readonly string[];
}

/**
 * Where a change to a replica in a member goes. A hub-managed replica whose status alone changed
 * (its operator reported) is that member's news only: its PrometheusCluster takes it in without a
 * full pass, when the reconciler's batch window allows, with whatever else arrived by then. Anything else (created,
 * deleted, its spec or metadata changed — drift to repair) asks for a full pass at once.
 */
export function routeReplicaChange(routing: ReplicaEventRouting, replica: PrometheusReplica, member: string, previous: PrometheusReplica | undefined): void {
  const owner = ownerKey(replica);
  if (owner && previous && statusOnlyChange(previous, replica)) {
    routing.queue.enqueueAfter(owner, routing.reconciler.replicaStatusChanged(owner, member));
    return;
  }
  for (const key of routing.clustersOf(replica)) {
    routing.reconciler.needsFullPass(key);
    routing.queue.enqueue(key);
  }
}
