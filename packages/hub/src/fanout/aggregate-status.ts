import { publicHosts, type PrometheusCluster, type PrometheusClusterStatus } from '@promfleet/api';
import { findCondition, setConditions } from '@promfleet/kube/status';

import { rolloutCondition } from '../rollout/member-rollout.ts';
import type { RolloutPlan } from '../rollout/planner.ts';
import type { RolloutTail } from '../rollout/rollout-tail.ts';
import { baseDomainClaim, type Claimant } from './base-domain.ts';
import { CLUSTER_CONDITIONS, clusterStatus, FAILING_STATIC, type DNSOutcome } from './cluster-status.ts';
import { buildRecords } from './dns-records.ts';
import { dnsTargets } from './fail-static.ts';
import type { MemberOutcome } from './member-outcome.ts';
import type { ReportWait } from './report-wait.ts';

/**
 * What the last full pass over a PrometheusCluster found: its validated spec, the rollout plan,
 * and one outcome per selected member. A member's status change replaces its outcome alone; the
 * status is then composed from these without looking at any other member's cache.
 */
export interface ClusterAggregate {
  /** The validated spec and metadata of the pass (the status is read from the live object). */
  readonly cluster: PrometheusCluster;
  /** Why nothing is applied to the members (an image outside the allow-list). */
  readonly held: string | undefined;
  readonly plan: RolloutPlan | undefined;
  /** By member name, in selection order. */
  readonly outcomes: Map<string, MemberOutcome>;
  /** No member is left to move or being learned or retried: a member's status change alone cannot alter the fan-out. */
  readonly settled: boolean;
  /** A rollout with nobody left to move: a member's status change plans it again from here. */
  readonly tail?: RolloutTail | undefined;
  /** When a member's replica turns NoOperator (epoch ms; Infinity: none is waiting): from then on, a full pass. */
  readonly noOperatorAt: number;
  /** The pass's status is not written yet: it waits for the members' first reports on what the pass changed. */
  readonly reportWait?: ReportWait | undefined;
}

/** The status of a PrometheusCluster from its aggregate: entries, DNS (failing static from what `live` published), conditions, rollout. */
export function aggregateStatus(aggregate: ClusterAggregate, live: PrometheusCluster, claimants: readonly Claimant[], now: Date): PrometheusClusterStatus {
  const cluster: PrometheusCluster = { ...aggregate.cluster, ...(live.status ? { status: live.status } : {}) };
  const outcomes = [...aggregate.outcomes.values()];
  const entries = outcomes.map((outcome) => outcome.entry);
  const dns = dnsOutcome(cluster, outcomes, claimants);
  const status = clusterStatus(cluster, entries, dns, now, aggregate.held);
  const { plan } = aggregate;
  if (!plan) return { ...status, ...(cluster.status?.rollout ? { rollout: cluster.status.rollout } : {}) };
  return { ...status, rollout: plan.status, conditions: setConditions(status.conditions, [rolloutCondition(plan)], cluster.metadata.generation, now) };
}

function dnsOutcome(cluster: PrometheusCluster, outcomes: readonly MemberOutcome[], claimants: readonly Claimant[]): DNSOutcome {
  const { baseDomain, dns } = cluster.spec;
  const invalid = outcomes.filter((outcome) => outcome.report.unpublishable !== undefined).map((outcome) => outcome.view.name);
  const none = { records: [], names: [], heldBy: undefined, newer: [], unpublished: [], invalid, refused: [], standby: [], failingStatic: undefined };
  if (!baseDomain) return none;
  const names = publicHosts(baseDomain, cluster.spec.grafana?.enabled === true);
  const { heldBy, newer } = baseDomainClaim(cluster, claimants);
  const { targets, failingStatic } = dnsTargets({
    members: outcomes.map((outcome) => ({ entry: outcome.entry, reach: outcome.reach })),
    published: cluster.status?.endpoints ?? [],
    minHealthyPercent: dns.minHealthyPercent,
    wasFailing: findCondition(cluster.status?.conditions, CLUSTER_CONDITIONS.dnsPublished)?.reason === FAILING_STATIC,
  });
  const built = buildRecords(names, dns.ttl, dns.routingPolicy, targets);
  return { ...none, ...built, names, heldBy, newer, failingStatic: heldBy === undefined && built.records.length > 0 ? failingStatic : undefined };
}

/** Failing static shows in DNSPublished's reason. */
export function isFailingStatic(status: PrometheusClusterStatus | undefined): boolean {
  return findCondition(status?.conditions, CLUSTER_CONDITIONS.dnsPublished)?.reason === FAILING_STATIC;
}
