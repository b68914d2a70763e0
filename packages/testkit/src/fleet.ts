import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { resolveKubeAssets, type KubeAssets } from './assets.ts';
import { TestCluster } from './cluster.ts';
import { ApiServer } from './control-plane/api-server.ts';
import { ControllerManager } from './control-plane/controller-manager.ts';
import { Etcd } from './control-plane/etcd.ts';
import { buildKubeconfig, kubeconfigYAML, toKubeConfig } from './kubeconfig.ts';
import { createClusterPKI } from './pki.ts';
import { freePort } from './process/ports.ts';

export interface FleetOptions {
  /** Cluster names, e.g. `['hub', 'eu', 'us']`. */
  readonly clusters: readonly string[];
  /** Run a kube-controller-manager per cluster (Deployments and StatefulSets get pods). */
  readonly controllerManager?: boolean;
  readonly assets?: KubeAssets;
}

/** etcd plus one control plane per cluster, all local processes, all gone after `stop()`. */
export class Fleet implements AsyncDisposable {
  readonly id: string;
  readonly dir: string;
  readonly etcd: Etcd;
  readonly clusters: readonly TestCluster[];
  /** Milliseconds `startFleet` took. */
  readonly startupMs: number;
  #stopped = false;

  constructor(fields: { id: string; dir: string; etcd: Etcd; clusters: TestCluster[]; startupMs: number }) {
    this.id = fields.id;
    this.dir = fields.dir;
    this.etcd = fields.etcd;
    this.clusters = fields.clusters;
    this.startupMs = fields.startupMs;
  }

  cluster(name: string): TestCluster {
    const found = this.clusters.find((cluster) => cluster.name === name);
    if (!found) throw new Error(`fleet has no cluster ${JSON.stringify(name)} (has ${this.clusters.map((c) => c.name).join(', ')})`);
    return found;
  }

  /** Stops every process and removes the fleet's directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.clusters.map((cluster) => cluster.stop()));
    await this.etcd.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** tmpfs when there is one: etcd fsyncs on every write. */
function scratchRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const started = performance.now();
  if (options.clusters.length === 0) throw new Error('startFleet: at least one cluster is needed');
  if (new Set(options.clusters).size !== options.clusters.length) throw new Error('startFleet: cluster names must be unique');
  const assets = options.assets ?? (await resolveKubeAssets());
  const id = randomBytes(4).toString('hex');
  const dir = await mkdtemp(join(scratchRoot(), `promfleet-fleet-${id}-`));
  let etcd: Etcd | undefined;
  const clusters: TestCluster[] = [];
  try {
    await mkdir(join(dir, 'etcd'));
    const etcdStarted = Etcd.start(assets.etcd, join(dir, 'etcd'));
    const prepared = await Promise.all(
      options.clusters.map(async (name, index) => {
        const clusterDir = join(dir, name);
        await mkdir(clusterDir);
        const pki = await createClusterPKI(clusterDir, name);
        const port = await freePort();
        const kubeconfig = buildKubeconfig({
          name: `${name}-admin-${id}`,
          server: `https://127.0.0.1:${String(port)}`,
          ca: pki.caCert,
          user: { cert: pki.adminCert, key: pki.adminKey },
        });
        const kubeconfigFile = join(clusterDir, 'admin.kubeconfig');
        await writeFile(kubeconfigFile, kubeconfigYAML(kubeconfig), { mode: 0o600 });
        return { name, index, clusterDir, pki, port, kubeconfig, kubeconfigFile };
      }),
    );
    etcd = await etcdStarted;
    const etcdUrl = etcd.url;
    await Promise.all(
      prepared.map(async ({ name, index, clusterDir, pki, port, kubeconfig, kubeconfigFile }) => {
        const apiServer = new ApiServer({ clusterName: name, binary: assets.kubeApiserver, etcdUrl, port, dir: clusterDir, pki });
        const controllerManager = options.controllerManager
          ? new ControllerManager({ clusterName: name, binary: assets.kubeControllerManager, kubeconfigFile, dir: clusterDir, pki })
          : undefined;
        const cluster = new TestCluster({
          name,
          index,
          pki,
          kubeconfig,
          kubeconfigFile,
          kubeConfig: toKubeConfig(kubeconfig),
          apiServer,
          controllerManager,
          dir: clusterDir,
        });
        clusters[index] = cluster;
        await cluster.start();
      }),
    );
    return new Fleet({ id, dir, etcd, clusters, startupMs: performance.now() - started });
  } catch (error) {
    await Promise.allSettled(clusters.map((cluster) => cluster.stop()));
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
