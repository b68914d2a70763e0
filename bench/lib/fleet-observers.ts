import {
  mergeShards,
  PrometheusClusters,
  PrometheusClusterShards,
  PrometheusReplicas,
  shardObjectName,
  shardOf,
  type MemberEntry,
  type PrometheusCluster,
  type PrometheusClusterShard,
  type PrometheusReplica,
} from '@promfleet/api';
import { Pods, ResourceClient, type ObjectOf } from '@promfleet/kube/client';

import { BENCH_NAMESPACE, type BenchFleet } from './bench-fleet.ts';
import { Observer, ObserverSet } from './observer.ts';

type Pod = ObjectOf<typeof Pods>;

const OPERATOR_PODS = 'app.kubernetes.io/managed-by=promfleet-replica-operator';

/**
 * Watches on what the benchmarks time: the hub's PrometheusClusters and their shards, and replicas
 * and pods on every member API server. `clusters` also wakes on shard events, so a condition on a
 * sharded cluster's entries (`whole`, `entryOf`) is timed from the shard write that made it hold.
 */
export class FleetObservers {
  readonly clusters: Observer<PrometheusCluster>;
  readonly shards: Observer<PrometheusClusterShard>;
  readonly replicas: ObserverSet<PrometheusReplica>;
  readonly pods: ObserverSet<Pod>;

  constructor(bench: BenchFleet) {
    this.clusters = new Observer(new ResourceClient(bench.hub, PrometheusClusters), { namespace: BENCH_NAMESPACE });
    this.shards = new Observer(new ResourceClient(bench.hub, PrometheusClusterShards), { namespace: BENCH_NAMESPACE });
    this.clusters.checkOn(this.shards.cache);
    this.replicas = new ObserverSet(bench.admins.map((admin) => new Observer(new ResourceClient(admin, PrometheusReplicas))));
    this.pods = new ObserverSet(bench.admins.map((admin) => new Observer(new ResourceClient(admin, Pods), { labelSelector: OPERATOR_PODS })));
  }

  async start(): Promise<this> {
    await Promise.all([this.clusters.start(), this.shards.start(), this.replicas.start(), this.pods.start()]);
    return this;
  }

  /** The cluster `namespace/name` with its shards merged in. */
  whole(key: string): PrometheusCluster | undefined {
    const cluster = this.clusters.cache.get(key);
    return cluster && mergeShards(cluster, this.shards.cache.list());
  }

  /** A member's entry in the cluster's status or in its shard: one lookup, not a merge of every shard. */
  entryOf(key: string, member: string): MemberEntry | undefined {
    const cluster = this.clusters.cache.get(key);
    const shards = cluster?.status?.shards;
    if (shards === undefined) return cluster?.status?.clusters?.find((entry) => entry.name === member);
    const shard = this.shards.cache.get(`${BENCH_NAMESPACE}/${shardObjectName(cluster?.metadata.name ?? '', shardOf(member, shards))}`);
    return shard?.spec.shards === shards ? shard.status?.clusters?.find((entry) => entry.name === member) : undefined;
  }

  /** The DNSEndpoint holding a member's own records: its shard's, or the cluster's. */
  dnsEndpointKey(key: string, member: string): string {
    const shards = this.clusters.cache.get(key)?.status?.shards;
    return shards === undefined ? key : `${key}.${String(shardOf(member, shards))}`;
  }

  /** Until no replica named `name` and none of its pods is left on any member API server. */
  async gone(name: string, timeoutMs: number): Promise<void> {
    await this.replicas.until(`replicas ${name} deleted`, (cache) => cache.list().every((replica) => replica.metadata.name !== name), timeoutMs);
    await this.pods.until(
      `pods of ${name} deleted`,
      (cache) => cache.list().every((pod) => pod.metadata?.labels?.['app.kubernetes.io/instance'] !== name),
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.clusters.stop(), this.shards.stop(), this.replicas.stop(), this.pods.stop()]);
  }
}
