import { ANNOTATIONS, FIELD_MANAGERS, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { desiredReplica } from '@promfleet/hub';
import { Applier } from '@promfleet/kube/apply';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { KitMetrics } from '@promfleet/kube/observability';
import pLimit from 'p-limit';

import type { BenchFleet, BenchMember } from '../../lib/bench-fleet.ts';
import type { FleetObservers } from '../../lib/fleet-observers.ts';
import { memberClients } from '../../lib/member-credentials.ts';
import { benchCluster, memberClusterOf } from '../../lib/objects.ts';
import { changedSpec, type FanoutTimes } from './hub-path.ts';

/**
 * The floor under fan-out: the same PrometheusReplicas the hub would write, applied straight
 * to the members with the members' own credentials and the hub's concurrency, timed until the
 * replica operators have observed every one of them. What no hub can beat: no hub watch, no
 * reconcile, no aggregation, no status write in the hub.
 */
export class FloorFanout {
  readonly #bench: BenchFleet;
  readonly #observers: FleetObservers;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  /** The floor's own requests (its applies and deletes). */
  readonly metrics = new KitMetrics();
  readonly #clients = new Map<string, KubeClient>();
  #members: BenchMember[] = [];

  constructor(bench: BenchFleet, observers: FleetObservers, options: { concurrency: number; timeoutMs: number }) {
    this.#bench = bench;
    this.#observers = observers;
    this.#concurrency = options.concurrency;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Takes in the members joined since the last call, with a client on each one's credential. */
  async refresh(): Promise<void> {
    const added = this.#bench.members.filter((member) => !this.#clients.has(member.name));
    for (const [name, client] of await memberClients(this.#bench, added, this.metrics)) this.#clients.set(name, client);
    this.#members = [...this.#bench.members];
  }

  async create(name: string): Promise<FanoutTimes> {
    const started = performance.now();
    const generations = await this.#applyAll(name, {});
    const converged = await this.#until(name, generations, (replica, generation) => (replica?.status?.observedGeneration ?? 0) >= generation);
    const ready = await this.#until(
      name,
      generations,
      (replica, generation) => (replica?.status?.observedGeneration ?? 0) >= generation && replica?.status?.phase === 'Running',
    );
    return { converged: converged - started, ready: ready - started };
  }

  async change(name: string, run: string): Promise<FanoutTimes> {
    const started = performance.now();
    const generations = await this.#applyAll(name, changedSpec(run));
    const converged = await this.#until(name, generations, (replica, generation) => (replica?.status?.observedGeneration ?? 0) >= generation);
    await this.#until(
      name,
      generations,
      (replica, generation) => (replica?.status?.observedGeneration ?? 0) >= generation && replica?.status?.phase === 'Running',
    );
    return { converged: converged - started };
  }

  async remove(name: string): Promise<void> {
    const limit = pLimit(this.#concurrency);
    await Promise.all(this.#members.map((member) => limit(() => this.#resources(member).delete(name, member.namespace))));
    await this.#observers.gone(name, this.#timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
  }

  /** Applies the replica in every member; the generation each apply produced, by `namespace/name`. */
  async #applyAll(name: string, spec: Record<string, unknown>): Promise<Map<string, number>> {
    const limit = pLimit(this.#concurrency);
    const cluster = benchCluster(name, spec);
    const applied = await Promise.all(
      this.#members.map((member) =>
        limit(async () => {
          const desired = { ...desiredReplica(cluster, memberClusterOf(member)) };
          // Not the hub's: no hub-managed labels, so the hub's member caches ignore it.
          desired.metadata = { ...desired.metadata, labels: { 'bench.promfleet.io/floor': 'true' } };
          const { object } = await this.#applier.apply(this.#resources(member), desired, undefined);
          return [`${member.namespace}/${name}`, object.metadata.generation ?? 0] as const;
        }),
      ),
    );
    return new Map(applied);
  }

  #until(
    name: string,
    generations: ReadonlyMap<string, number>,
    done: (replica: PrometheusReplica | undefined, generation: number) => boolean,
  ): Promise<number> {
    const byServer = this.#bench.servers.map((_, server) =>
      this.#members.filter((member) => member.server === server).map((member) => `${member.namespace}/${name}`),
    );
    return this.#observers.replicas.until(
      `${String(generations.size)} replicas ${name} observed`,
      (cache, server) => (byServer[server] ?? []).every((key) => done(cache.get(key), generations.get(key) ?? Number.POSITIVE_INFINITY)),
      this.#timeoutMs,
    );
  }

  #resources(member: BenchMember): ResourceClient<PrometheusReplica> {
    const client = this.#clients.get(member.name);
    if (!client) throw new Error(`no client for ${member.name}`);
    return new ResourceClient(client, PrometheusReplicas);
  }
}
