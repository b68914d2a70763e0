import type { KubeConfig } from '@kubernetes/client-node';

import type { ApiServer } from './control-plane/api-server.ts';
import type { ControllerManager } from './control-plane/controller-manager.ts';
import type { FakeKubelet } from './kubelet/kubelet.ts';
import type { FakeLoadBalancer } from './load-balancer/load-balancer.ts';
import type { ClusterPKI } from './pki.ts';
import type { KubeconfigFile } from './kubeconfig.ts';

/**
 * One cluster of a fleet: its API server (and controller-manager), fake kubelet and load
 * balancer, credentials and fault switches. The fault switches act on the processes only: the
 * kubelet and load balancer keep retrying through a stop or pause and catch up after it.
 */
export class TestCluster {
  readonly name: string;
  /** Position in the fleet; fixes this cluster's load-balancer addresses. */
  readonly index: number;
  readonly server: string;
  /** PEM of the cluster's own CA. */
  readonly ca: string;
  readonly pki: ClusterPKI;
  /** Admin (system:masters) kubeconfig, with cluster, user and context names unique in the process. */
  readonly kubeconfig: KubeconfigFile;
  readonly kubeconfigFile: string;
  readonly kubeConfig: KubeConfig;
  readonly apiServer: ApiServer;
  readonly controllerManager: ControllerManager | undefined;
  /** The fake kubelet with its node `testkit-<name>`; undefined when the fleet runs none. */
  readonly kubelet: FakeKubelet | undefined;
  /** The fake load balancer; undefined when the fleet runs none. */
  readonly loadBalancer: FakeLoadBalancer | undefined;
  readonly dir: string;

  constructor(fields: {
    name: string;
    index: number;
    pki: ClusterPKI;
    kubeconfig: KubeconfigFile;
    kubeconfigFile: string;
    kubeConfig: KubeConfig;
    apiServer: ApiServer;
    controllerManager: ControllerManager | undefined;
    kubelet: FakeKubelet | undefined;
    loadBalancer: FakeLoadBalancer | undefined;
    dir: string;
  }) {
    this.name = fields.name;
    this.index = fields.index;
    this.server = fields.apiServer.url;
    this.pki = fields.pki;
    this.ca = fields.pki.caCert;
    this.kubeconfig = fields.kubeconfig;
    this.kubeconfigFile = fields.kubeconfigFile;
    this.kubeConfig = fields.kubeConfig;
    this.apiServer = fields.apiServer;
    this.controllerManager = fields.controllerManager;
    this.kubelet = fields.kubelet;
    this.loadBalancer = fields.loadBalancer;
    this.dir = fields.dir;
  }

  /** Stops the control plane (connections are refused); data stays in etcd. */
  async stop(): Promise<void> {
    await this.controllerManager?.stop();
    await this.apiServer.stop();
  }

  async start(): Promise<void> {
    await this.apiServer.start();
    this.controllerManager?.start();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** SIGSTOP: the API server accepts connections but never answers, like a hung member. */
  pause(): void {
    this.apiServer.pause();
    this.controllerManager?.pause();
  }

  resume(): void {
    this.apiServer.resume();
    this.controllerManager?.resume();
  }
}
