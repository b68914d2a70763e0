import type { KubeConfig } from '@kubernetes/client-node';

import type { ApiServer } from './control-plane/api-server.ts';
import type { ControllerManager } from './control-plane/controller-manager.ts';
import type { ClusterPKI } from './pki.ts';
import type { KubeconfigFile } from './kubeconfig.ts';

/** One cluster of a fleet: its API server (and controller-manager), credentials and fault switches. */
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
