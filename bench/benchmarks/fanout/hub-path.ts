import type { PrometheusCluster } from '@promfleet/api';
import { PrometheusClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { BENCH_NAMESPACE, type BenchFleet } from '../../lib/bench-fleet.ts';
import type { FleetObservers } from '../../lib/fleet-observers.ts';
import { benchCluster } from '../../lib/objects.ts';

export interface FanoutTimes {
  /** Until every member is at the new generation. */
  readonly converged: number;
  /** Until every member is ready (pods running); only for a create. */
  readonly ready?: number;
}

/** The label a spec change sets: a new external label changes every replica's Prometheus config. */
export const changedSpec = (run: string) => ({ externalLabels: { bench_run: run } });

/**
 * Every selected member listed, each at `generation` (given, not read from the cache: until the
 * watch delivers the change the cache holds the previous generation, which every member is at).
 */
export function allAtGeneration(cluster: PrometheusCluster | undefined, members: number, generation: number): boolean {
  const entries = cluster?.status?.clusters ?? [];
  return cluster?.metadata.generation === generation && entries.length === members && entries.every((entry) => entry.observedGeneration === generation);
}

const allReady = (cluster: PrometheusCluster | undefined, members: number, generation: number): boolean =>
  allAtGeneration(cluster, members, generation) && cluster?.status?.phase === 'Ready' && cluster.status.ready === members;

/** Fan-out through the hub: one PrometheusCluster, timed on the hub's status as a watcher sees it. */
export class HubFanout {
  readonly #observers: FleetObservers;
  readonly #clusters: ResourceClient<PrometheusCluster>;
  readonly #timeoutMs: number;

  constructor(bench: BenchFleet, observers: FleetObservers, timeoutMs: number) {
    this.#observers = observers;
    this.#clusters = new ResourceClient(bench.hub, PrometheusClusters);
    this.#timeoutMs = timeoutMs;
  }

  async create(name: string, members: number): Promise<FanoutTimes> {
    const started = performance.now();
    const { generation = 1 } = (await this.#clusters.create(benchCluster(name))).metadata;
    const converged = await this.#until(
      `${name}: ${String(members)} members at generation 1`,
      (cluster) => allAtGeneration(cluster, members, generation),
      name,
    );
    const ready = await this.#until(`${name}: ${String(members)} members ready`, (cluster) => allReady(cluster, members, generation), name);
    return { converged: converged - started, ready: ready - started };
  }

  async change(name: string, members: number, run: string): Promise<FanoutTimes> {
    const started = performance.now();
    const { generation = 0 } = (await this.#clusters.patch(name, BENCH_NAMESPACE, { spec: changedSpec(run) })).metadata;
    const converged = await this.#until(
      `${name}: ${String(members)} members at generation ${String(generation)}`,
      (cluster) => allAtGeneration(cluster, members, generation),
      name,
    );
    // Settled again before anything else is timed.
    await this.#until(`${name}: ${String(members)} members ready after the change`, (cluster) => allReady(cluster, members, generation), name);
    return { converged: converged - started };
  }

  /** Deletes the PrometheusCluster and waits until its replicas and their pods are gone everywhere. */
  async remove(name: string): Promise<void> {
    await this.#clusters.delete(name, BENCH_NAMESPACE);
    await this.#until(`${name} deleted`, (cluster) => cluster === undefined, name);
    await this.#observers.gone(name, this.#timeoutMs);
  }

  #until(what: string, done: (cluster: PrometheusCluster | undefined) => boolean, name: string): Promise<number> {
    return this.#observers.clusters.until(what, (cache) => done(cache.get(`${BENCH_NAMESPACE}/${name}`)), this.#timeoutMs);
  }
}
