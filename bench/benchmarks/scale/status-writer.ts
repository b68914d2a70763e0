import { ANNOTATIONS, FIELD_MANAGERS, PrometheusReplicas, type PrometheusReplica } from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { releaseVersion } from '@promfleet/kube/version';
import { childNames } from '@promfleet/replica-operator';
import pLimit from 'p-limit';

import type { ObserverSet } from '../../lib/observer.ts';
// The operator's pure status builder: @promfleet/replica-operator does not export it (yet).
import { computeStatus, type ObservedState } from '../../../packages/replica-operator/src/status/compute-status.ts';

type Component = 'prometheus' | 'thanos-store' | 'thanos-query' | 'thanos-compact' | 'grafana';

const keyOf = (replica: PrometheusReplica) => `${replica.metadata.namespace ?? ''}/${replica.metadata.name}`;

/**
 * Plays the replica operators: for every PrometheusReplica on the member API servers, writes the
 * status the real operator computes (its own `computeStatus`) for workloads that are all ready,
 * behind an Ingress with one address per member — or, for a flapped replica, with Prometheus not
 * ready (Degraded). Written with the operator's field manager, only when it differs, like the
 * operator. So the benchmark's figures are the hub's, without pods, kubelets or operators.
 */
export class StatusWriter {
  readonly #replicas: ObserverSet<PrometheusReplica>;
  readonly #resources: readonly ResourceClient<PrometheusReplica>[];
  readonly #applier = new Applier(FIELD_MANAGERS.replicaOperator, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #pending = new Set<string>();
  readonly #notReady = new Set<string>();
  /** Members (namespaces) whose addresses moved, and how often. */
  readonly #moved = new Map<string, number>();
  readonly #version = releaseVersion();
  #stopped = false;
  /** Status writes made. */
  writes = 0;
  failures = 0;

  constructor(admins: readonly KubeClient[], replicas: ObserverSet<PrometheusReplica>, concurrency = 32) {
    this.#replicas = replicas;
    this.#resources = admins.map((admin) => new ResourceClient(admin, PrometheusReplicas));
    this.#limit = pLimit(concurrency);
  }

  /** Starts writing: every replica now cached, and every one added or changed later. */
  start(): this {
    this.#replicas.observers.forEach((observer, server) => {
      const enqueue = (replica: PrometheusReplica): void => {
        this.#enqueue(server, keyOf(replica));
      };
      observer.cache.addHandler({
        onAdd: enqueue,
        onUpdate: (_, replica) => {
          enqueue(replica);
        },
      });
    });
    return this;
  }

  stop(): void {
    this.#stopped = true;
    this.#limit.clearQueue();
  }

  /** The Ingress address the member's replicas report now. */
  address(namespace: string): string {
    const index = Number(/(\d+)$/.exec(namespace)?.[1] ?? 0);
    return `10.${String(100 + (this.#moved.get(namespace) ?? 0))}.${String(index >> 8)}.${String(index & 255)}`;
  }

  /** Whether the writer reports the replica ready. */
  ready(namespace: string, name: string): boolean {
    return !this.#notReady.has(`${namespace}/${name}`);
  }

  /** Reports the replica ready (Running) or not (Degraded: Prometheus 0/1 ready) from now on. */
  setReady(server: number, namespace: string, name: string, ready: boolean): void {
    const key = `${namespace}/${name}`;
    if (ready) this.#notReady.delete(key);
    else this.#notReady.add(key);
    this.#enqueue(server, key);
  }

  /** Moves every replica of the member to a new address (as a new load balancer would). */
  moveAddress(server: number, namespace: string): void {
    this.#moved.set(namespace, (this.#moved.get(namespace) ?? 0) + 1);
    const cache = this.#replicas.observers[server]?.cache;
    for (const replica of cache?.list() ?? []) if (replica.metadata.namespace === namespace) this.#enqueue(server, keyOf(replica));
  }

  /** The status the operator would write for the replica now. */
  statusOf(replica: PrometheusReplica): NonNullable<PrometheusReplica['status']> {
    const namespace = replica.metadata.namespace ?? '';
    return computeStatus(observed(replica, this.ready(namespace, replica.metadata.name), this.address(namespace), this.#version));
  }

  #enqueue(server: number, key: string): void {
    if (this.#stopped || this.#pending.has(key)) return;
    this.#pending.add(key);
    void this.#limit(() => this.#write(server, key));
  }

  async #write(server: number, key: string): Promise<void> {
    this.#pending.delete(key);
    const live = this.#replicas.observers[server]?.cache.get(key);
    const resources = this.#resources[server];
    if (!live || live.metadata.deletionTimestamp || !resources || this.#stopped) return;
    try {
      const { changed } = await this.#applier.applyStatus(resources, live, this.statusOf(live));
      if (changed) this.writes++;
    } catch {
      // Deleted meanwhile, or the API server is busy: the next event (or the retry) writes it.
      this.failures++;
      setTimeout(() => {
        this.#enqueue(server, key);
      }, 1000).unref();
    }
  }
}

/** What the operator would observe for a replica whose children all exist: every tier ready, but Prometheus when `ready` is false. */
function observed(replica: PrometheusReplica, ready: boolean, address: string, operatorVersion: string): ObservedState {
  const { name } = replica.metadata;
  const names = childNames(name);
  const prometheusReplicas = replica.spec.highlyAvailable ? 2 : 1;
  const grafana = replica.spec.grafana?.enabled === true;
  const compaction = (replica.spec as Partial<PrometheusReplica['spec']>).compaction?.enabled ?? true;
  const sets: [string, Component, number][] = [
    [names.prometheus, 'prometheus', prometheusReplicas],
    [names.store, 'thanos-store', 1],
    ...(compaction ? [[names.compactor, 'thanos-compact', 1] as [string, Component, number]] : []),
  ];
  const deployments: [string, Component][] = [[names.query, 'thanos-query'], ...(grafana ? [[names.grafana, 'grafana'] as [string, Component]] : [])];
  const readyOf = (component: Component, replicas: number) => (component === 'prometheus' && !ready ? 0 : replicas);
  const pod = (podName: string, component: Component, podReady: boolean) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, labels: { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': component } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: podReady ? 'True' : 'False' }] },
  });
  return {
    replica,
    specErrors: [],
    config: { ok: true, message: `ConfigMap ${replica.spec.configMap} passes the operator's checks` },
    bucketSecret: { ok: true, message: `Secret ${replica.spec.bucketSecret} holds a valid s3 objstore config` },
    applyError: undefined,
    statefulSets: sets.map(([setName, component, replicas]) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: setName, generation: 1 },
      spec: { replicas, serviceName: setName, selector: { matchLabels: { 'app.kubernetes.io/instance': name } }, template: {} },
      status: {
        observedGeneration: 1,
        replicas,
        readyReplicas: readyOf(component, replicas),
        updatedReplicas: replicas,
        currentRevision: 'r1',
        updateRevision: 'r1',
      },
    })),
    deployments: deployments.map(([deploymentName]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: deploymentName, generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': name } }, template: {} },
      status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1 },
    })),
    ingresses: [
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: names.ingress }, status: { loadBalancer: { ingress: [{ ip: address }] } } },
    ] as ObservedState['ingresses'],
    services: [],
    pods: [
      ...sets.flatMap(([setName, component, replicas]) =>
        Array.from({ length: replicas }, (_, i) => pod(`${setName}-${String(i)}`, component, readyOf(component, replicas) > i)),
      ),
      ...deployments.map(([deploymentName, component]) => pod(`${deploymentName}-5d8f7c6b9-x2x4q`, component, true)),
    ] as ObservedState['pods'],
    clusterDomain: 'cluster.local',
    operatorVersion,
    now: new Date(),
  };
}
