import { objectKey } from '@promfleet/kube/client';

/** What `baseDomain` arbitration reads of a PrometheusCluster. */
export interface Claimant {
  readonly metadata: {
    readonly namespace?: string | undefined;
    readonly name: string;
    readonly creationTimestamp?: string | undefined;
    readonly deletionTimestamp?: string | undefined;
  };
}

export interface BaseDomainClaim {
  /** The older PrometheusCluster (`namespace/name`) that holds the names; undefined when this one does. */
  readonly heldBy: string | undefined;
  /** Newer claimants this one holds the names against (they publish nothing). */
  readonly newer: readonly string[];
}

/**
 * Who publishes a `baseDomain` several PrometheusClusters claim: the oldest (creationTimestamp,
 * then namespace/name), which goes on publishing; the others publish nothing. So a newcomer —
 * anyone who can create a PrometheusCluster in any namespace — can never withdraw a live record,
 * and when the holder goes, the next oldest takes over. Claimants being deleted do not count.
 */
export function baseDomainClaim(self: Claimant, claimants: readonly Claimant[]): BaseDomainClaim {
  const key = objectKey(self);
  const live = claimants.filter((claimant) => !claimant.metadata.deletionTimestamp && objectKey(claimant) !== key);
  const ordered = [self, ...live].sort(compareAge);
  const [holder] = ordered;
  const holderKey = holder ? objectKey(holder) : key;
  if (holderKey !== key) return { heldBy: holderKey, newer: [] };
  return { heldBy: undefined, newer: ordered.slice(1).map((claimant) => objectKey(claimant)) };
}

function compareAge(a: Claimant, b: Claimant): number {
  const created = (claimant: Claimant) => Date.parse(claimant.metadata.creationTimestamp ?? '') || Number.MAX_SAFE_INTEGER;
  const order = created(a) - created(b);
  if (order !== 0) return order;
  const [x, y] = [objectKey(a), objectKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
