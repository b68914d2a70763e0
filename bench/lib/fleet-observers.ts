import type { PrometheusCluster, PrometheusReplica } from '@promfleet/api';
import { PrometheusClusters, PrometheusReplicas } from '@promfleet/api';
import { Pods, ResourceClient, type ObjectOf } from '@promfleet/kube/client';

import { BENCH_NAMESPACE, type BenchFleet } from './bench-fleet.ts';
import { Observer, ObserverSet } from './observer.ts';

type Pod = ObjectOf<typeof Pods>;

const OPERATOR_PODS = 'app.kubernetes.io/managed-by=promfleet-replica-operator';

/** Watches on what the benchmarks time: the hub's PrometheusClusters, and replicas and pods on every member API server. */
export class FleetObservers {
  readonly clusters: Observer<PrometheusCluster>;
  readonly replicas: ObserverSet<PrometheusReplica>;
  readonly pods: ObserverSet<Pod>;

  constructor(bench: BenchFleet) {
    this.clusters = new Observer(new ResourceClient(bench.hub, PrometheusClusters), { namespace: BENCH_NAMESPACE });
    this.replicas = new ObserverSet(bench.admins.map((admin) => new Observer(new ResourceClient(admin, PrometheusReplicas))));
    this.pods = new ObserverSet(bench.admins.map((admin) => new Observer(new ResourceClient(admin, Pods), { labelSelector: OPERATOR_PODS })));
  }

  async start(): Promise<this> {
    await Promise.all([this.clusters.start(), this.replicas.start(), this.pods.start()]);
    return this;
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
    await Promise.all([this.clusters.stop(), this.replicas.stop(), this.pods.stop()]);
  }
}
