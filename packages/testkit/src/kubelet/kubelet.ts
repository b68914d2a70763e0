import { join } from 'node:path';

import { ConfigMaps, Nodes, objectKey, Pods, resourceType, Secrets } from '@promfleet/kube/client';

import { FakeController, type ClusterHandle } from '../fakes/fake-controller.ts';
import { waitFor } from '../http.ts';
import { nodeAddress, PodAddressPool } from './addresses.ts';
import { EgressProxy } from './egress-proxy.ts';
import { nodeObject, nodeStatus, nodeStatusMatches, type Node } from './node.ts';
import { desiredPodStatus, podStatusMatches, type ContainerReport, type Pod } from './pod-status.ts';
import { prometheusContainer, PrometheusRuntime, type Termination } from './runtime/runtime.ts';

export interface KubeletOptions {
  /** How long a bound pod stays Pending before its containers "start". Default 200 ms. */
  readonly readyDelayMs?: number;
  /**
   * Run the real `prometheus` binary for containers named `prometheus` (Debian's 2.42 unless
   * `binary` says otherwise), instead of only reporting them running. Off by default: most
   * tests need no more than Ready pods, and a process per pod costs memory and CPU.
   */
  readonly prometheus?: boolean | { readonly binary?: string };
}

/** The socket the cluster's API server sends pod connections to (`pods/NAME:PORT/proxy`). */
export function egressSocketPath(clusterDir: string): string {
  return join(clusterDir, 'egress.sock');
}

const FakePods = resourceType<Pod>(Pods.group, Pods.version, Pods.plural, Pods.kind, true);
const FakeNodes = resourceType<Node>(Nodes.group, Nodes.version, Nodes.plural, Nodes.kind, false);

/**
 * A kubelet without containers: registers one Ready node, binds every unscheduled pod to it,
 * reports the pods running (or failed, or unready, as annotated) after a delay, and completes
 * graceful deletions at once, so the real controller-manager's Deployment and StatefulSet
 * logic runs as it would on a cluster with nodes. With `prometheus` on, it runs the real
 * Prometheus for Prometheus containers (runtime/runtime.ts). Its egress proxy takes the API
 * server's connections to pods, so `pods/NAME:PORT/proxy` reaches those processes.
 */
export class FakeKubelet {
  readonly nodeName: string;
  readonly readyDelayMs: number;
  readonly #cluster: ClusterHandle;
  readonly #controller: FakeController;
  readonly #pods;
  readonly #nodes;
  readonly #addresses: PodAddressPool;
  /** When each pod (by key, for its current uid) was first seen bound to this node. */
  readonly #boundAt = new Map<string, { uid: string; at: number }>();
  readonly #runtime: PrometheusRuntime | undefined;
  readonly #egress: EgressProxy;

  constructor(cluster: ClusterHandle, options: KubeletOptions = {}) {
    this.#cluster = cluster;
    this.nodeName = `testkit-${cluster.name}`;
    this.readyDelayMs = options.readyDelayMs ?? 200;
    this.#addresses = new PodAddressPool(cluster.index);
    this.#controller = new FakeController(cluster, 'kubelet', (kind, key) => {
      if (kind === 'node') return this.#reconcileNode();
      if (kind === 'pod') return this.#reconcilePod(key);
      this.#resyncPodsMounting(key);
      return Promise.resolve(undefined);
    });
    this.#pods = this.#controller.inform('pod', FakePods);
    this.#nodes = this.#controller.inform('node', FakeNodes, `metadata.name=${this.nodeName}`);
    if (options.prometheus) {
      const configMaps = this.#controller.inform('configmap', ConfigMaps);
      const secrets = this.#controller.inform('secret', Secrets);
      this.#runtime = new PrometheusRuntime({
        binary: typeof options.prometheus === 'object' ? (options.prometheus.binary ?? 'prometheus') : 'prometheus',
        dir: cluster.dir,
        sources: {
          configMap: (namespace, name) => configMaps.get(`${namespace}/${name}`)?.data ?? (configMaps.get(`${namespace}/${name}`) ? {} : undefined),
          secret: (namespace, name) => {
            const secret = secrets.get(`${namespace}/${name}`);
            return secret
              ? Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]))
              : undefined;
          },
        },
        onChange: (key) => {
          this.#controller.enqueue('pod', key);
        },
      });
    }
    this.#egress = new EgressProxy(egressSocketPath(cluster.dir), (host, port) => {
      const pod = this.#pods.list().find((candidate) => candidate.status?.podIP === host && candidate.spec.nodeName === this.nodeName);
      return pod ? this.#runtime?.port(objectKey(pod), port) : undefined;
    });
  }

  /** How the Prometheus of every deleted pod ended (only with `prometheus` on). */
  get terminations(): readonly Termination[] {
    return this.#runtime?.terminations ?? [];
  }

  /** How many writes (bindings, status updates, deletions) it has made so far. */
  get writes(): number {
    return this.#controller.writes;
  }

  /** Starts watching; resolves once the node is registered. */
  async start(): Promise<void> {
    await this.#egress.start();
    await this.#controller.start();
    // The informer only reports nodes that exist; the first registration is ours to start.
    this.#controller.enqueue('node', this.nodeName);
    await waitFor(`node ${this.nodeName} registered`, () => Promise.resolve(this.#nodes.get(this.nodeName) !== undefined), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
  }

  async stop(): Promise<void> {
    await this.#controller.stop();
    await this.#runtime?.stopAll();
    await this.#egress.stop();
  }

  /** A ConfigMap or Secret changed: the pods mounting it sync their volumes (and reload). */
  #resyncPodsMounting(key: string): void {
    const [namespace, name] = key.split('/');
    for (const pod of this.#pods.list()) {
      if (pod.metadata.namespace !== namespace || pod.spec.nodeName !== this.nodeName) continue;
      if ((pod.spec.volumes ?? []).some((volume) => volume.configMap?.name === name || volume.secret?.secretName === name))
        this.#controller.enqueue('pod', objectKey(pod));
    }
  }

  async #reconcileNode(): Promise<undefined> {
    const now = new Date().toISOString();
    const nodes = this.#controller.resources(FakeNodes);
    const node = this.#nodes.get(this.nodeName);
    if (!node) {
      await this.#controller.write(() => nodes.create(nodeObject(this.nodeName, this.#cluster.name, this.#cluster.index, now)));
      return undefined;
    }
    const desired = nodeStatus(this.nodeName, this.#cluster.index, now);
    if (nodeStatusMatches(node.status, desired)) return undefined;
    await this.#controller.write(() => nodes.patch(this.nodeName, undefined, { status: desired }, { subresource: 'status' }));
    return undefined;
  }

  async #reconcilePod(key: string): Promise<number | undefined> {
    const pod = this.#pods.get(key);
    if (!pod) {
      this.#boundAt.delete(key);
      this.#addresses.release(key);
      await this.#runtime?.stop(key, 0);
      return undefined;
    }
    const { nodeName } = pod.spec;
    if (nodeName !== undefined && nodeName !== this.nodeName) return undefined;
    const { name, namespace = 'default' } = pod.metadata;
    const uid = pod.metadata.uid ?? '';
    const pods = this.#controller.resources(FakePods);
    if (pod.metadata.deletionTimestamp !== undefined) {
      // A kubelet confirms a graceful deletion once the containers stopped: the processes it
      // runs get SIGTERM and the pod's grace period; the others never ran.
      await this.#runtime?.stop(key, pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
      if (pod.metadata.deletionGracePeriodSeconds === 0) return undefined;
      await this.#controller.write(() => pods.delete(name, namespace, { gracePeriodSeconds: 0, preconditions: { uid } }));
      return undefined;
    }
    if (nodeName === undefined) {
      await this.#controller.write(() =>
        this.#controller.client.request({
          verb: 'create',
          method: 'POST',
          resource: 'pods',
          path: `/api/v1/namespaces/${namespace}/pods/${name}/binding`,
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, uid }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } },
        }),
      );
      return undefined;
    }
    return this.#reportStatus(key, pod);
  }

  async #reportStatus(key: string, pod: Pod): Promise<number | undefined> {
    const uid = pod.metadata.uid ?? '';
    let bound = this.#boundAt.get(key);
    if (bound?.uid !== uid) {
      bound = { uid, at: Date.now() };
      this.#boundAt.set(key, bound);
    }
    // The start delay applies until the pod's first status; later changes show at once.
    const starting = (pod.status?.phase ?? 'Pending') === 'Pending';
    const wait = bound.at + this.readyDelayMs - Date.now();
    if (starting && wait > 0) return wait;
    const podIP = pod.status?.podIP ?? this.#addresses.assign(key, this.#addressesInUse(key));
    const reports: Record<string, ContainerReport> = {};
    let retryMs: number | undefined;
    if (this.#runtime && prometheusContainer(pod)) {
      const synced = await this.#runtime.sync(key, pod, podIP);
      reports.prometheus = synced.report;
      retryMs = synced.retryMs;
    }
    const desired = desiredPodStatus(pod, { podIP, hostIP: nodeAddress(this.#cluster.index) }, new Date().toISOString(), reports);
    if (podStatusMatches(pod.status, desired)) return retryMs;
    const body = { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: desired };
    await this.#controller.write(() => this.#controller.resources(FakePods).patch(pod.metadata.name, pod.metadata.namespace, body, { subresource: 'status' }));
    return retryMs;
  }

  #addressesInUse(except: string): Set<string> {
    const inUse = new Set<string>();
    for (const pod of this.#pods.list()) {
      const ip = pod.status?.podIP;
      if (ip && pod.spec.nodeName === this.nodeName && objectKey(pod) !== except) inUse.add(ip);
    }
    return inUse;
  }
}
