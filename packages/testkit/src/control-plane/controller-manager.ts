import { join } from 'node:path';

import type { ClusterPKI } from '../pki.ts';
import { ManagedProcess } from '../process/managed-process.ts';

export interface ControllerManagerOptions {
  readonly clusterName: string;
  readonly binary: string;
  readonly kubeconfigFile: string;
  readonly dir: string;
  readonly pki: ClusterPKI;
}

// What workloads need (Deployments, StatefulSets, PDB status, GC of owned objects, namespace
// deletion, default ServiceAccounts and their token Secrets); nothing that needs nodes or a cloud.
const CONTROLLERS = [
  'deployment',
  'replicaset',
  'statefulset',
  'disruption',
  'garbagecollector',
  'namespace',
  'serviceaccount',
  'serviceaccount-token',
  'endpoint',
];

export class ControllerManager {
  #options: ControllerManagerOptions;
  #process: ManagedProcess | undefined;
  #restarts: Promise<void> = Promise.resolve();

  constructor(options: ControllerManagerOptions) {
    this.#options = options;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  start(): void {
    if (this.#process?.running) return;
    const { binary, clusterName, dir, kubeconfigFile, pki } = this.#options;
    this.#process = ManagedProcess.spawn({
      name: `kube-controller-manager[${clusterName}]`,
      command: binary,
      args: [
        `--kubeconfig=${kubeconfigFile}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
        `--root-ca-file=${pki.caCertFile}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--port=0',
        `--controllers=${CONTROLLERS.join(',')}`,
        '--concurrent-statefulset-syncs=10',
        '--concurrent-deployment-syncs=10',
        '--concurrent-replicaset-syncs=10',
        '--v=0',
      ],
      logFile: join(dir, 'kube-controller-manager.log'),
    });
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /**
   * Stops and starts a running controller-manager, so that its garbage collector knows the kinds
   * added since it started: v1.20's reads discovery only every 30 s, and until then the objects
   * that a new kind's objects own outlive them. Restarts asked for together run one after another.
   */
  restart(): Promise<void> {
    this.#restarts = this.#restarts.then(async () => {
      if (!this.#process?.running) return;
      await this.#process.stop();
      this.start();
    });
    return this.#restarts;
  }

  pause(): void {
    this.#process?.pause();
  }

  resume(): void {
    this.#process?.resume();
  }
}
