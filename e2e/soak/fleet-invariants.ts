import type { PrometheusCluster } from '@promfleet/api';
import type { KubeClient } from '@promfleet/kube/client';

import { apiTargets, dnsEndpointTargets, replicasIn, statusTargets } from '../helpers/observe.ts';

/** Addresses of the member entries the hub itself counts as serving: ready and not stale. */
export function readyAddresses(cluster: PrometheusCluster): Set<string> {
  return new Set((cluster.status?.clusters ?? []).filter((entry) => entry.ready && !entry.stale).flatMap((entry) => entry.addresses ?? []));
}

/**
 * Holds at every instant: the DNS targets in a status are a subset of the addresses of the
 * entries in that same status that are ready and fresh. Undefined when it holds.
 */
export function targetsOutsideReady(cluster: PrometheusCluster): string | undefined {
  const ready = readyAddresses(cluster);
  const outside = statusTargets(cluster).filter((target) => !ready.has(target));
  return outside.length === 0 ? undefined : `${cluster.metadata.name}: targets ${outside.join(', ')} belong to no ready member`;
}

export interface ConvergedFleet {
  readonly hub: KubeClient;
  readonly hubUrl: string;
  /** Admin clients on the members, by member name. */
  readonly members: ReadonlyMap<string, KubeClient>;
  /** The member names each PrometheusCluster selects now (from the labels the soak set). */
  readonly selected: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * What must hold once the fleet has converged after a round of changes and outages: a replica
 * exactly on the members a PrometheusCluster selects (none on the others), and the status, the
 * DNSEndpoint and the endpoints API all publishing exactly the ready members' addresses.
 * Returns every problem found (empty when all hold).
 */
export async function convergedProblems(fleet: ConvergedFleet, clusters: readonly PrometheusCluster[]): Promise<string[]> {
  const problems: string[] = [];
  const held = new Map(await Promise.all([...fleet.members].map(async ([name, client]) => [name, await replicasIn(client)] as const)));
  for (const cluster of clusters) {
    const name = cluster.metadata.name;
    const selected = fleet.selected.get(name) ?? new Set<string>();
    for (const [member, replicas] of held) {
      if (replicas.has(name) !== selected.has(member))
        problems.push(`${name}: replica in ${member} is ${replicas.has(name) ? 'present on an unselected member' : 'missing on a selected member'}`);
    }
    const ready = [...readyAddresses(cluster)].sort();
    const [status, dns, api] = [statusTargets(cluster), await dnsEndpointTargets(fleet.hub, name), await apiTargets(fleet.hubUrl, name)];
    for (const [where, targets] of [
      ['status', status],
      ['DNSEndpoint', dns],
      ['endpoints API', api],
    ] as const) {
      if (cluster.spec.baseDomain && JSON.stringify([...new Set(targets)].sort()) !== JSON.stringify(ready))
        problems.push(`${name}: ${where} targets ${targets.join(',')} are not the ready members' ${ready.join(',')}`);
    }
  }
  return problems;
}
