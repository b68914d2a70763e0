import { ANNOTATIONS, FIELD_MANAGERS, PrometheusReplicas, type PrometheusReplica } from '@promfleet/api';
import { desiredReplica } from '@promfleet/hub';
import { Applier } from '@promfleet/kube/apply';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { KitMetrics } from '@promfleet/kube/observability';

import type { BenchFleet, BenchMember } from '../../lib/bench-fleet.ts';
import type { FleetObservers } from '../../lib/fleet-observers.ts';
import { memberClients } from '../../lib/member-credentials.ts';
import { benchCluster, memberClusterOf } from '../../lib/objects.ts';

/**
 * The floor under a progressive rollout: the same replica updates applied straight to the
 * members with their own credentials, `waveSize` at a time, each wave only once the one before
 * it runs (every replica Running at its new generation). What no hub can beat at the same
 * maxUnavailable: no revisions, no planning, no status writes in the hub.
 */
export class WaveFloor {
  readonly #bench: BenchFleet;
  readonly #observers: FleetObservers;
  readonly #waveSize: number;
  readonly #timeoutMs: number;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  /** The floor's own requests. */
  readonly metrics = new KitMetrics();
  readonly #clients = new Map<string, KubeClient>();

  constructor(bench: BenchFleet, observers: FleetObservers, options: { waveSize: number; timeoutMs: number }) {
    this.#bench = bench;
    this.#observers = observers;
    this.#waveSize = options.waveSize;
    this.#timeoutMs = options.timeoutMs;
  }

  async refresh(): Promise<void> {
    for (const [name, client] of await memberClients(this.#bench, this.#bench.members, this.metrics)) this.#clients.set(name, client);
  }

  /** Applies `spec` to every member wave by wave; resolves when the last wave runs. */
  async rollOut(name: string, spec: Record<string, unknown>): Promise<void> {
    const members = [...this.#bench.members];
    for (let start = 0; start < members.length; start += this.#waveSize) {
      const wave = members.slice(start, start + this.#waveSize);
      const generations = new Map(
        await Promise.all(
          wave.map(async (member) => {
            const desired = { ...desiredReplica(benchCluster(name, spec), memberClusterOf(member)) };
            // Not the hub's: no hub-managed labels, so the hub's member caches ignore it.
            desired.metadata = { ...desired.metadata, labels: { 'bench.promfleet.io/floor': 'true' } };
            const { object } = await this.#applier.apply(this.#resources(member), desired, undefined);
            return [`${member.namespace}/${name}`, object.metadata.generation ?? 0] as const;
          }),
        ),
      );
      await this.#running(name, wave, generations);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
  }

  #running(name: string, wave: readonly BenchMember[], generations: ReadonlyMap<string, number>): Promise<number> {
    const byServer = this.#bench.servers.map((_, server) => wave.filter((member) => member.server === server).map((member) => `${member.namespace}/${name}`));
    const done = (replica: PrometheusReplica | undefined, generation: number) =>
      (replica?.status?.observedGeneration ?? 0) >= generation && replica?.status?.phase === 'Running';
    return this.#observers.replicas.until(
      `${String(wave.length)} replicas ${name} running`,
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
