import { Nodes, objectKey, Pods, resourceType } from '@promfleet/kube';

import { FakeController, type ClusterHandle } from '../fakes/fake-controller.ts';
import { waitFor } from '../http.ts';
import { nodeAddress, PodAddressPool } from './addresses.ts';
import { nodeObject, nodeStatus, nodeStatusMatches, type Node } from './node.ts';
import { desiredPodStatus, podStatusMatches, type Pod } from './pod-status.ts';

export interface KubeletOptions {
  /** How long a bound pod stays Pending before its containers "start". Default 200 ms. */
  readonly readyDelayMs?: number;
}

const FakePods = resourceType<Pod>(Pods.group, Pods.version, Pods.plural, Pods.kind, true);
const FakeNodes = resourceType<Node>(Nodes.group, Nodes.version, Nodes.plural, Nodes.kind, false);

/**
 * A kubelet without containers: registers one Ready node, binds every unscheduled pod to it,
 * reports the pods running (or failed, or unready, as annotated) after a delay, and completes
 * graceful deletions at once, so the real controller-manager's Deployment and StatefulSet
 * logic runs as it would on a cluster with nodes.
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

  constructor(cluster: ClusterHandle, options: KubeletOptions = {}) {
    this.#cluster = cluster;
    this.nodeName = `testkit-${cluster.name}`;
    this.readyDelayMs = options.readyDelayMs ?? 200;
    this.#addresses = new PodAddressPool(cluster.index);
    this.#controller = new FakeController(cluster, 'kubelet', (kind, key) => (kind === 'node' ? this.#reconcileNode() : this.#reconcilePod(key)));
    this.#pods = this.#controller.inform('pod', FakePods);
    this.#nodes = this.#controller.inform('node', FakeNodes, `metadata.name=${this.nodeName}`);
  }

  /** How many writes (bindings, status updates, deletions) it has made so far. */
  get writes(): number {
    return this.#controller.writes;
  }

  /** Starts watching; resolves once the node is registered. */
  async start(): Promise<void> {
    await this.#controller.start();
    // The informer only reports nodes that exist; the first registration is ours to start.
    this.#controller.enqueue('node', this.nodeName);
    await waitFor(`node ${this.nodeName} registered`, () => Promise.resolve(this.#nodes.get(this.nodeName) !== undefined), { timeoutMs: 30_000, intervalMs: 20 });
  }

  async stop(): Promise<void> {
    await this.#controller.stop();
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
      return undefined;
    }
    const { nodeName } = pod.spec;
    if (nodeName !== undefined && nodeName !== this.nodeName) return undefined;
    const { name, namespace = 'default' } = pod.metadata;
    const uid = pod.metadata.uid ?? '';
    const pods = this.#controller.resources(FakePods);
    if (pod.metadata.deletionTimestamp !== undefined) {
      // A kubelet confirms a graceful deletion once the containers stopped; ours never ran.
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
    const desired = desiredPodStatus(pod, { podIP, hostIP: nodeAddress(this.#cluster.index) }, new Date().toISOString());
    if (podStatusMatches(pod.status, desired)) return undefined;
    const body = { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: desired };
    await this.#controller.write(() => this.#controller.resources(FakePods).patch(pod.metadata.name, pod.metadata.namespace, body, { subresource: 'status' }));
    return undefined;
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
