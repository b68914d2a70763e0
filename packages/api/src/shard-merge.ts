import type { MemberEntry, PrometheusCluster } from './schemas/prometheus-cluster.ts';
import type { PrometheusClusterShard } from './schemas/prometheus-cluster-shard.ts';
import { byName, layoutShards, recordsOf } from './status-shards.ts';

/** The last merge of one cluster: its layout's shards and the entries they gave, each with the position of its shard. */
interface Merged {
  readonly ours: readonly PrometheusClusterShard[];
  readonly entries: readonly MemberEntry[];
  readonly from: readonly number[];
}

/** Past this share of shards changed since the last merge, merging anew is as cheap. */
const REUSE_UP_TO = 0.25;

/**
 * `mergeShards` for a reader that merges the same clusters over and over as their shards change
 * one at a time (the hub, once per member change): it keeps each cluster's last merge and
 * replaces only the entries of the shards that are not the objects they were, so a change costs a
 * walk over the merged entries instead of sorting a thousand of them. Shard objects are never
 * modified once made (cache copies and built ones alike), so an unchanged object is unchanged
 * content. The result equals `mergeShards`' (entries by name, in shard order for equal names).
 */
export class ShardMerge {
  readonly #merged = new Map<string, Merged>();

  merge(key: string, cluster: PrometheusCluster, shards: readonly PrometheusClusterShard[]): PrometheusCluster {
    if (cluster.status?.shards === undefined) {
      this.#merged.delete(key);
      return cluster;
    }
    const ours = layoutShards(cluster, shards);
    const merged = this.#entries(ours, this.#merged.get(key));
    this.#merged.set(key, merged);
    return { ...cluster, status: { ...cluster.status, clusters: [...merged.entries], endpoints: recordsOf(cluster, ours) } };
  }

  forget(key: string): void {
    this.#merged.delete(key);
  }

  #entries(ours: readonly PrometheusClusterShard[], last: Merged | undefined): Merged {
    const changed = changedPositions(ours, last);
    if (!last || changed === undefined || changed.size > ours.length * REUSE_UP_TO) return mergedAnew(ours);
    return changed.size === 0 ? { ...last, ours } : remerged(ours, last, changed);
  }
}

/** The positions whose shard is not the object it was; undefined when the layout is another (other shards, or in other places). */
function changedPositions(ours: readonly PrometheusClusterShard[], last: Merged | undefined): Set<number> | undefined {
  if (last?.ours.length !== ours.length) return undefined;
  const changed = new Set<number>();
  for (const [position, shard] of ours.entries()) {
    const before = last.ours[position];
    if (before?.spec.shard !== shard.spec.shard || before.spec.shards !== shard.spec.shards) return undefined;
    if (before !== shard) changed.add(position);
  }
  return changed;
}

/** Every entry of `ours`: by name, then shard position, then their order in the shard. */
function mergedAnew(ours: readonly PrometheusClusterShard[]): Merged {
  return remerged(ours, { ours, entries: [], from: [] }, new Set(ours.keys()));
}

/** The last merge with the entries of the shards at `positions` replaced by theirs now, in one walk. */
function remerged(ours: readonly PrometheusClusterShard[], last: Merged, positions: ReadonlySet<number>): Merged {
  const added: { entry: MemberEntry; from: number }[] = [];
  for (const position of positions) for (const entry of ours[position]?.status?.clusters ?? []) added.push({ entry, from: position });
  // Stable: equal names and positions keep the shard's order.
  added.sort((a, b) => byName(a.entry, b.entry) || a.from - b.from);
  const entries: MemberEntry[] = [];
  const from: number[] = [];
  let next = 0;
  const take = (entry: MemberEntry, position: number) => {
    entries.push(entry);
    from.push(position);
  };
  for (const [index, entry] of last.entries.entries()) {
    const position = last.from[index] ?? -1;
    if (positions.has(position)) continue;
    for (let add = added[next]; add && before(add.entry, add.from, entry, position); add = added[++next]) take(add.entry, add.from);
    take(entry, position);
  }
  for (let add = added[next]; add; add = added[++next]) take(add.entry, add.from);
  return { ours, entries, from };
}

function before(a: MemberEntry, aFrom: number, b: MemberEntry, bFrom: number): boolean {
  const order = byName(a, b);
  return order < 0 || (order === 0 && aFrom < bFrom);
}
