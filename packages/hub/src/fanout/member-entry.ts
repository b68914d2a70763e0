import { ANNOTATIONS, type MemberEntry, type PrometheusReplica } from '@promfleet/api';
import { findCondition } from '@promfleet/kube/status';

/** How the hub can reach a member right now. */
export type Reachability =
  | { readonly state: 'ready' }
  | { readonly state: 'offline' | 'unusable'; readonly message: string; readonly lastSeen: string | undefined }
  | { readonly state: 'unknown'; readonly message: string };

/** Everything the hub knows about one selected member when it reconciles a PrometheusCluster. */
export interface MemberView {
  readonly name: string;
  readonly reachability: Reachability;
  /** The member's replicas have been listed: absence of one means it does not exist. */
  readonly cacheSynced: boolean;
  /** The replica named after the PrometheusCluster in the member's namespace, if any. */
  readonly replica: PrometheusReplica | undefined;
  /** It exists but is not this PrometheusCluster's: never overwritten. */
  readonly conflict: boolean;
  readonly applyError: string | undefined;
  /** The apply was sent and failed (the member, not the spec): it is tried again. */
  readonly applyFailed?: boolean | undefined;
  /** Why the hub did not apply the replica (the PrometheusCluster is refused). */
  readonly held?: string | undefined;
  /** Set when no operator has reconciled the replica within the bounded wait: why (no-operator.ts). */
  readonly noOperator?: string | undefined;
  /** The generation this pass's apply gave the replica, which its operator has yet to report on (undefined: the pass changed no spec). */
  readonly expectedGeneration?: number | undefined;
  /** The revision the member is pinned to, and the overrides merged for it. */
  readonly revision?: string | undefined;
  readonly overrides?: readonly string[] | undefined;
}

/**
 * A member's entry in `status.clusters`. A member the hub cannot reach keeps its last known
 * host and addresses but is `stale` (and so out of DNS); `observedGeneration` is the
 * PrometheusCluster generation the member's replica has fully observed.
 */
export function memberEntry(view: MemberView, previous: MemberEntry | undefined): MemberEntry {
  const { replica } = view;
  const output = replica?.status?.output;
  // The replica's own report when the hub has it, else what was recorded before (a hub that took over an offline member).
  const queryHost = output ? output.queryHost : previous?.queryHost;
  const addresses = output ? output.addresses : previous?.addresses;
  const storeAPI = output ? output.storeAPI : previous?.storeAPI;
  const known = {
    ...(queryHost ? { queryHost } : {}),
    ...(addresses?.length ? { addresses: [...addresses] } : {}),
    ...(storeAPI?.length ? { storeAPI: [...storeAPI] } : {}),
  };
  const generation = observedGeneration(replica) ?? previous?.observedGeneration;
  const base = {
    name: view.name,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(view.revision !== undefined ? { revision: view.revision } : {}),
    ...(view.overrides?.length ? { overrides: [...view.overrides] } : {}),
  };
  const { reachability } = view;
  if (reachability.state === 'offline' || reachability.state === 'unusable') {
    return {
      ...base,
      ...known,
      phase: reachability.state === 'offline' ? 'Offline' : 'Error',
      ready: false,
      stale: true,
      ...(reachability.lastSeen ? { lastSeen: reachability.lastSeen } : {}),
      message: reachability.message,
    };
  }
  // A hub that has just started or taken over the Lease has not probed or listed the member yet:
  // what the previous leader recorded stands until it knows better, so a failover moves no DNS.
  if (previous && (reachability.state === 'unknown' || !view.cacheSynced)) return previous;
  if (reachability.state === 'unknown') return { ...base, phase: 'Unknown', ready: false, stale: true, message: reachability.message };
  if (!view.cacheSynced) return { ...base, phase: 'Unknown', ready: false, stale: false, message: "listing the member's replicas" };
  if (view.conflict) {
    return {
      ...base,
      phase: 'Conflict',
      ready: false,
      stale: false,
      message: 'a PrometheusReplica of this name exists in the member and is not managed by this PrometheusCluster; it is left alone',
    };
  }
  if (view.applyError !== undefined) return { ...base, ...known, phase: 'Error', ready: false, stale: false, message: view.applyError };
  if (!replica)
    return {
      ...base,
      phase: 'Pending',
      ready: false,
      stale: false,
      message: view.held === undefined ? 'creating the PrometheusReplica' : `not created: ${view.held}`,
    };
  if (view.noOperator !== undefined) return { ...base, ...known, phase: 'NoOperator', ready: false, stale: false, message: view.noOperator };
  const phase = replica.status?.phase ?? 'Pending';
  const ready = phase === 'Running';
  const notReady = findCondition(replica.status?.conditions, 'Ready');
  // Prometheus refusing its config leaves the last good one serving, so the member stays in
  // DNS, but the platform team must hear of it.
  const configApplied = findCondition(replica.status?.conditions, 'ConfigApplied');
  const messages = [
    ...(!ready && notReady?.message ? [notReady.message] : []),
    ...(configApplied?.status === 'False' ? [`ConfigApplied=False (${configApplied.reason}): ${configApplied.message}`] : []),
  ];
  return {
    ...base,
    ...known,
    phase,
    ready,
    stale: false,
    ...(messages.length > 0 ? { message: messages.join('; ') } : {}),
  };
}

/** The source generation of a replica whose operator has caught up with its spec. */
function observedGeneration(replica: PrometheusReplica | undefined): number | undefined {
  if (!replica?.status || replica.status.observedGeneration !== replica.metadata.generation) return undefined;
  const source = Number(replica.metadata.annotations?.[ANNOTATIONS.sourceGeneration]);
  return Number.isInteger(source) ? source : undefined;
}
