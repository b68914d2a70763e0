import { CREDENTIAL_LIFECYCLE, DAY_MS, type Condition, type MemberCluster, type MemberClusterStatus } from '@promfleet/api';
import { semanticEqual } from '@promfleet/kube/apply';
import { findCondition, rfc3339, setConditions, type ConditionUpdate } from '@promfleet/kube/status';

import type { Reachability } from '../fanout/member-entry.ts';
import { memberSpread } from './member-spread.ts';
import type { ProbeResult } from './probe.ts';

export const MEMBER_CONDITIONS = { ready: 'Ready', credentialScoped: 'CredentialScoped', credentialExpiring: 'CredentialExpiring' } as const;

/** A credential the hub cannot use, and why (the reason becomes the Ready condition's). */
export interface CredentialProblem {
  readonly reason: 'SecretNotFound' | 'SecretNotBound' | 'SecretBoundToOtherMember' | 'SecretKeyMissing' | 'KubeconfigInvalid' | 'KubeconfigUnsupported';
  readonly message: string;
}

/** What the member's connection knows of it: its last sign of life, probes and reviews. */
export interface MemberHealth {
  /** When the credential in use was loaded: the offline clock starts here before any contact. */
  readonly connectedSince: Date;
  /** The last sign of life: any answer through the credential (watch, list, probe, write). */
  readonly lastContact: Date | undefined;
  /** The last probe or review. */
  readonly last: ProbeResult | undefined;
  /** Probes and reviews that failed in a row, up to the last (0 when it answered). */
  readonly failedInARow: number;
  /** The last successful review: the version and the credential's scope. */
  readonly review: ProbeResult | undefined;
  readonly expiresAt: Date | undefined;
}

export interface MemberTimings {
  readonly offlineAfterMs: number;
  /** CredentialExpiring turns True this long before expiry. */
  readonly expiringWithinMs: number;
  /** lastProbeTime (the last sign of life) is written on any other change, else this often, at each member's own phase of it. */
  readonly heartbeatMs: number;
}

export const DEFAULT_EXPIRING_WITHIN_MS = CREDENTIAL_LIFECYCLE.expiringWithinDays * DAY_MS;
export const HEARTBEAT_MS = 5 * 60_000;

/**
 * Whether the hub can use a member now: what fan-out and DNS act on. Offline exactly when there
 * was no sign of life for offline-after (the connection's deadline timer makes the hub look at that
 * moment); a refused credential at once; a failed probe inside the grace period changes nothing.
 */
export function reachability(health: MemberHealth | undefined, credential: CredentialProblem | undefined, now: Date, offlineAfterMs: number): Reachability {
  const lastSeen = health?.lastContact ? rfc3339(health.lastContact) : undefined;
  if (credential) return { state: 'unusable', message: credential.message, lastSeen };
  if (!health) return { state: 'unknown', message: 'no credential loaded yet' };
  const { last } = health;
  if (last?.problem && last.problem.reason !== 'Unreachable') return { state: 'unusable', message: last.problem.message, lastSeen };
  const since = health.lastContact ?? health.connectedSince;
  if (now.getTime() - since.getTime() >= offlineAfterMs) {
    return { state: 'offline', message: `no sign of life since ${rfc3339(since)}${last?.problem ? `: ${last.problem.message}` : ''}`, lastSeen };
  }
  // Ready once a review has proven the credential; until then (or while it keeps failing) we wait.
  return health.review ? { state: 'ready' } : { state: 'unknown', message: 'waiting for the first probe' };
}

/**
 * A MemberCluster's status: `Ready` (reachable and authorized; `Offline` only after the grace
 * period), `CredentialScoped` from the last successful review, `CredentialExpiring` from the
 * token's or certificate's expiry. Like the kubelet's node status, `lastProbeTime` (the last sign
 * of life) is written when anything else changes and otherwise at most every few minutes, so a
 * steady fleet makes no writes.
 */
export function memberStatus(
  member: MemberCluster,
  credential: CredentialProblem | undefined,
  health: MemberHealth | undefined,
  now: Date,
  timings: MemberTimings,
): MemberClusterStatus {
  const previous = member.status;
  const reach = reachability(health, credential, now, timings.offlineAfterMs);
  const success = health?.review;
  const updates: ConditionUpdate[] = [
    readyCondition(reach, credential, health, previous?.conditions),
    scopedCondition(credential, success, previous?.conditions),
  ];
  const expiry = credential ? undefined : health?.expiresAt;
  updates.push(expiringCondition(credential, expiry, now, timings.expiringWithinMs));
  const conditions = setConditions(previous?.conditions, updates, member.metadata.generation, now);
  // Semantic, not textual: the API server hands conditions back with their keys in its own order.
  const changed = !semanticEqual(conditions, previous?.conditions ?? []);
  const recorded = previous?.lastProbeTime;
  const contact = health?.lastContact && success ? rfc3339(health.lastContact) : undefined;
  const lastProbeTime =
    contact !== undefined &&
    contact !== recorded &&
    (recorded === undefined || changed || now.getTime() >= heartbeatDueAt(member.metadata.name, recorded, timings.heartbeatMs))
      ? contact
      : recorded;
  const kubernetesVersion = success?.kubernetesVersion ?? previous?.kubernetesVersion;
  return {
    ...(member.metadata.generation !== undefined ? { observedGeneration: member.metadata.generation } : {}),
    conditions,
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    ...(lastProbeTime ? { lastProbeTime } : {}),
    ...(expiry ? { credentialExpiresAt: rfc3339(expiry) } : {}),
  };
}

/**
 * When the heartbeat after `recorded` is due: at the member's own slot, a multiple of
 * `heartbeatMs` on the wall clock plus its phase (a hash of its name), the first at least half an
 * interval after `recorded`. When every member's last sign of life was a census probe they all
 * answered in the same second, heartbeats due a fixed time after it came all at once: a thousand
 * MemberCluster writes in one burst every five minutes, which B7's churn ran into. On slots a
 * fleet's heartbeats come evenly (a thousand members: one every 0.3 s), each member's every
 * `heartbeatMs` while nothing else changes (its last sign of life is at most a probe interval
 * before its slot), and the first after another write between half and one and a half intervals
 * after it.
 */
export function heartbeatDueAt(member: string, recorded: string, heartbeatMs: number): number {
  const phase = Math.floor(memberSpread(member) * heartbeatMs);
  const earliest = Date.parse(recorded) + heartbeatMs / 2;
  return Math.ceil((earliest - phase) / heartbeatMs) * heartbeatMs + phase;
}

/** When the reconciler must look again to write the lastProbeTime heartbeat (undefined: nothing to write). */
export function heartbeatInMs(member: string, status: MemberClusterStatus, now: Date, heartbeatMs: number): number | undefined {
  if (status.lastProbeTime === undefined) return undefined;
  return Math.max(1_000, heartbeatDueAt(member, status.lastProbeTime, heartbeatMs) - now.getTime());
}

/**
 * A probe that got no answer (a timeout, a refused or reset connection) shows on the MemberCluster
 * once its retry, 2 s later, got none either. One lost probe is what a busy member API server
 * or hub gives now and then (B7 saw a few percent of a census's probes time out on its loaded
 * machine when every member was probed in the same second), and showing it was two status writes and two Events for a member that answered
 * again 2 s later — more load on the hub's API server when it had least to spare. Failing static
 * and the Offline deadline do not wait for this: they read the probe itself.
 */
const UNANSWERED_SHOWN_AFTER = 2;

/** The probe problem the Ready condition shows, if any. */
export function shownProblem(last: ProbeResult | undefined, failedInARow: number): ProbeResult['problem'] {
  const problem = last?.problem;
  if (problem?.reason === 'Unreachable' && failedInARow < UNANSWERED_SHOWN_AFTER) return undefined;
  return problem;
}

function readyCondition(
  reach: Reachability,
  credential: CredentialProblem | undefined,
  health: MemberHealth | undefined,
  previous: readonly Condition[] | undefined,
): ConditionUpdate {
  const type = MEMBER_CONDITIONS.ready;
  if (credential) return { type, status: 'False', reason: credential.reason, message: credential.message };
  const problem = shownProblem(health?.last, health?.failedInARow ?? 0);
  switch (reach.state) {
    case 'ready': {
      const version = health?.review?.kubernetesVersion ?? '';
      if (problem) {
        // A failed probe inside the grace period: keep Ready, say what happened. Back from
        // Offline (its watch answered before the next probe) it is Ready again, not Ready for
        // the reason it was not.
        const kept = findCondition(previous, type);
        const reason = kept?.status === 'True' ? kept.reason : 'Reachable';
        return { type, status: 'True', reason, message: `probe failed, Offline if it keeps failing: ${problem.message}` };
      }
      return { type, status: 'True', reason: 'Reachable', message: `reachable and authorized to manage prometheusreplicas (Kubernetes ${version})` };
    }
    case 'unusable':
      return { type, status: 'False', reason: problem?.reason ?? 'Unauthorized', message: reach.message };
    case 'offline':
      return { type, status: 'False', reason: 'Offline', message: reach.message };
    case 'unknown':
      return { type, status: 'Unknown', reason: 'Probing', message: reach.message };
  }
}

function scopedCondition(
  credential: CredentialProblem | undefined,
  success: ProbeResult | undefined,
  previous: readonly Condition[] | undefined,
): ConditionUpdate {
  const type = MEMBER_CONDITIONS.credentialScoped;
  if (credential) return { type, status: 'Unknown', reason: credential.reason, message: 'the credential cannot be used' };
  if (!success) {
    const kept = findCondition(previous, type);
    return kept
      ? { type, status: kept.status, reason: kept.reason, message: kept.message }
      : { type, status: 'Unknown', reason: 'NotProbed', message: 'waiting for a successful probe' };
  }
  const extra = [...(success.excess ?? []), ...(success.clusterWide ? ['list prometheusreplicas in every namespace'] : [])];
  if (extra.length > 0)
    return { type, status: 'False', reason: 'OverPrivileged', message: `the credential can do more than manage prometheusreplicas: ${extra.join(', ')}` };
  if (success.unverifiable)
    return {
      type,
      status: 'Unknown',
      reason: 'ScopeUnverifiable',
      message: `${success.unverifiable}, so its scope cannot be proven; nothing beyond its Role was found`,
    };
  return { type, status: 'True', reason: 'Scoped', message: 'the credential can manage prometheusreplicas in its namespace and nothing else' };
}

function expiringCondition(credential: CredentialProblem | undefined, expiry: Date | undefined, now: Date, withinMs: number): ConditionUpdate {
  const type = MEMBER_CONDITIONS.credentialExpiring;
  if (credential) return { type, status: 'Unknown', reason: credential.reason, message: 'the credential cannot be used' };
  if (!expiry) return { type, status: 'False', reason: 'NoExpiry', message: 'the credential does not expire' };
  const left = expiry.getTime() - now.getTime();
  if (left <= 0)
    return { type, status: 'True', reason: 'Expired', message: `the credential expired at ${rfc3339(expiry)}; rotate it with promfleet join --rotate` };
  if (left <= withinMs) {
    return {
      type,
      status: 'True',
      reason: 'Expiring',
      message: `the credential expires at ${rfc3339(expiry)} (in ${String(Math.ceil(left / 86_400_000))} days); rotate it with promfleet join --rotate`,
    };
  }
  return { type, status: 'False', reason: 'Valid', message: `the credential expires at ${rfc3339(expiry)}` };
}
