import type { ClusterPhase, DNSRecord, MemberEntry, PrometheusCluster, PrometheusClusterStatus } from '@promfleet/api';
import { setConditions, type ConditionUpdate } from '@promfleet/kube/status';

import type { FailingStatic } from './fail-static.ts';
import { compareCodePoints } from './order.ts';
import { storeEndpoints } from './store-endpoints.ts';

export const CLUSTER_CONDITIONS = { ready: 'Ready', propagated: 'Propagated', dnsPublished: 'DNSPublished' } as const;

const TROUBLE = new Set(['Offline', 'Conflict', 'Error', 'Failed', 'Degraded', 'NoOperator']);

export interface DNSOutcome {
  /** Records built from ready members, before conflicts are taken into account. */
  readonly records: readonly DNSRecord[];
  readonly names: readonly string[];
  /** The older PrometheusCluster (`namespace/name`) holding this baseDomain: then this one publishes nothing. */
  readonly heldBy: string | undefined;
  /** Newer PrometheusClusters claiming the baseDomain this one holds. */
  readonly newer: readonly string[];
  /** Members left out because their hostname targets cannot share a name with A/AAAA records. */
  readonly unpublished: readonly string[];
  /** Members left out because what they reported cannot be published (the entry's message says why). */
  readonly invalid: readonly string[];
  /** Hostname members `spec.dns.routingPolicy` cannot publish. */
  readonly refused: readonly string[];
  /** Hostname members standing by: routing policy `none` publishes one member's CNAME. */
  readonly standby: readonly string[];
  /** Set while unreachable members are kept as last known. */
  readonly failingStatic: FailingStatic | undefined;
}

/** The reason of DNSPublished while the hub keeps unreachable members' last known records. */
export const FAILING_STATIC = 'FailingStatic';

/**
 * A PrometheusCluster's status from its member entries and its DNS outcome. `refused` says why
 * the hub applies nothing to the members (an image outside the allow-list): Ready is False with
 * reason ImageNotAllowed until the spec is fixed.
 */
export function clusterStatus(
  cluster: PrometheusCluster,
  entries: readonly MemberEntry[],
  dns: DNSOutcome,
  now: Date,
  refused?: string,
): PrometheusClusterStatus {
  const generation = cluster.metadata.generation;
  const clusters = [...entries].sort((a, b) => compareCodePoints(a.name, b.name));
  const ready = clusters.filter((entry) => entry.ready && !entry.stale);
  const behind = clusters.filter((entry) => entry.observedGeneration !== generation);
  const troubled = clusters.filter((entry) => entry.stale || TROUBLE.has(entry.phase));

  let phase: ClusterPhase;
  if (refused !== undefined) phase = 'Degraded';
  else if (clusters.length === 0) phase = 'Pending';
  else if (troubled.length > 0) phase = 'Degraded';
  else if (ready.length === clusters.length && behind.length === 0) phase = 'Ready';
  else phase = 'Propagating';

  const describe = (list: readonly MemberEntry[]) => list.map((entry) => `${entry.name} ${entry.phase}${entry.stale ? ' (stale)' : ''}`).join(', ');
  const published = dns.heldBy ? [] : [...dns.records];
  const readyCondition = (): ConditionUpdate => {
    const type = CLUSTER_CONDITIONS.ready;
    if (refused !== undefined) return { type, status: 'False', reason: 'ImageNotAllowed', message: `nothing is applied to the members: ${refused}` };
    if (phase === 'Ready')
      return { type, status: 'True', reason: 'AllMembersReady', message: `${String(ready.length)}/${String(clusters.length)} members ready` };
    if (clusters.length === 0) return { type, status: 'False', reason: 'NoMembersSelected', message: 'no MemberCluster matches spec.clusterSelector' };
    const trouble = troubled.length > 0 ? `; ${describe(troubled)}` : '';
    return {
      type,
      status: 'False',
      reason: troubled.length > 0 ? 'MembersDegraded' : 'MembersNotReady',
      message: `${String(ready.length)}/${String(clusters.length)} members ready${trouble}`,
    };
  };
  const updates: ConditionUpdate[] = [
    readyCondition(),
    behind.length === 0
      ? {
          type: CLUSTER_CONDITIONS.propagated,
          status: 'True',
          reason: 'AllMembersCurrent',
          message: `every selected member runs generation ${String(generation ?? 0)}`,
        }
      : {
          type: CLUSTER_CONDITIONS.propagated,
          status: 'False',
          reason: 'MembersBehind',
          message: `not yet at generation ${String(generation ?? 0)}: ${behind.map((entry) => entry.name).join(', ')}`,
        },
    dnsCondition(dns, published),
  ];
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase,
    conditions: setConditions(cluster.status?.conditions, updates, generation, now),
    selected: clusters.length,
    ready: ready.length,
    clusters,
    endpoints: published,
    ...(cluster.spec.storeAPI ? { storeEndpoints: storeEndpoints(clusters) } : {}),
  };
}

function dnsCondition(dns: DNSOutcome, published: readonly DNSRecord[]): ConditionUpdate {
  const type = CLUSTER_CONDITIONS.dnsPublished;
  if (dns.names.length === 0) return { type, status: 'False', reason: 'NoBaseDomain', message: 'spec.baseDomain is not set: no round-robin records' };
  if (dns.heldBy) {
    return {
      type,
      status: 'False',
      reason: 'BaseDomainConflict',
      message: `${dns.names[0] ?? ''} is held by ${dns.heldBy}, an older PrometheusCluster with the same baseDomain: this one publishes nothing while it does`,
    };
  }
  const notes = [
    ...(dns.invalid.length > 0 ? [`left out (invalid targets reported): ${dns.invalid.join(', ')}`] : []),
    ...(dns.unpublished.length > 0 ? [`left out (hostname targets beside A records): ${dns.unpublished.join(', ')}`] : []),
    ...(dns.refused.length > 0
      ? [
          `left out (spec.dns.routingPolicy multivalue cannot publish hostname targets: Route 53 has no multivalue CNAME or alias records; use weighted or none): ${dns.refused.join(', ')}`,
        ]
      : []),
    ...(dns.standby.length > 0 ? [`standing by (spec.dns.routingPolicy none publishes one member's CNAME): ${dns.standby.join(', ')}`] : []),
    ...(dns.newer.length > 0 ? [`also claimed by ${dns.newer.join(', ')}, newer, which publish nothing`] : []),
  ];
  const more = notes.map((note) => `; ${note}`).join('');
  if (published.length === 0) {
    const reason = dns.refused.length > 0 ? 'RoutingPolicyUnsupported' : dns.invalid.length > 0 ? 'InvalidMemberTargets' : 'NoReadyMembers';
    return { type, status: 'False', reason, message: `no ready member to publish for ${dns.names.join(', ')}${more}` };
  }
  const failing = dns.failingStatic;
  if (failing) {
    const { held, reachable, counted, minHealthyPercent } = failing;
    return {
      type,
      status: 'True',
      reason: FAILING_STATIC,
      message:
        `keeping the last known records of ${held.join(', ')} for ${dns.names.join(', ')}: ${String(reachable)} of ${String(counted)} published or reachable members reached, ` +
        `below spec.dns.minHealthyPercent ${String(minHealthyPercent)}%; the hub may be cut off from them, so it does not act on it until enough are reached again${more}`,
    };
  }
  return { type, status: 'True', reason: 'Published', message: `${String(published.length)} record(s) for ${dns.names.join(', ')}${more}` };
}
