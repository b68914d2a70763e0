import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { resolveKubeAssets, type KubeAssets } from './assets.ts';
import { TestCluster } from './cluster.ts';
import { ApiServer } from './control-plane/api-server.ts';
import { ControllerManager } from './control-plane/controller-manager.ts';
import { Etcd } from './control-plane/etcd.ts';
import { checkFleetOptions, kubeletOptions, loadBalancerMode, type FleetOptions } from './fleet-options.ts';
import { egressSocketPath, FakeKubelet } from './kubelet/kubelet.ts';
import { buildKubeconfig, kubeconfigYAML, toKubeConfig, type KubeconfigFile } from './kubeconfig.ts';
import { FakeLoadBalancer } from './load-balancer/load-balancer.ts';
import { scratchRoot } from './paths.ts';
import { createClusterPKI, type ClusterPKI } from './pki.ts';
import { freePort } from './process/ports.ts';

export type { FleetOptions } from './fleet-options.ts';

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

  /** Stops the fake controllers, then every process, and removes the fleet's directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await stopAll(this.clusters, this.etcd, this.dir);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

async function stopAll(clusters: readonly TestCluster[], etcd: Etcd | undefined, dir: string): Promise<void> {
  // The fake controllers first: they would only retry against the stopping API servers.
  const fakes = clusters.flatMap((cluster) => [cluster.kubelet, cluster.loadBalancer].filter((fake) => fake !== undefined));
  await Promise.allSettled(fakes.map((fake) => fake.stop()));
  await Promise.allSettled(clusters.map((cluster) => cluster.stop()));
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
}

interface PreparedCluster {
  name: string;
  index: number;
  dir: string;
  pki: ClusterPKI;
  port: number;
  kubeconfig: KubeconfigFile;
  kubeconfigFile: string;
}

/** Certificates, port and admin kubeconfig of one cluster: everything but its processes. */
async function prepareCluster(fleetDir: string, fleetId: string, name: string, index: number): Promise<PreparedCluster> {
  const dir = join(fleetDir, name);
  await mkdir(dir);
  const pki = await createClusterPKI(dir, name);
  const port = await freePort();
  const kubeconfig = buildKubeconfig({
    name: `${name}-admin-${fleetId}`,
    server: `https://127.0.0.1:${String(port)}`,
    ca: pki.caCert,
    user: { cert: pki.adminCert, key: pki.adminKey },
  });
  const kubeconfigFile = join(dir, 'admin.kubeconfig');
  await writeFile(kubeconfigFile, kubeconfigYAML(kubeconfig), { mode: 0o600 });
  return { name, index, dir, pki, port, kubeconfig, kubeconfigFile };
}

function createCluster(prepared: PreparedCluster, options: FleetOptions, assets: KubeAssets, etcdUrl: string): TestCluster {
  const { name, index, dir, pki, port, kubeconfig, kubeconfigFile } = prepared;
  const kubeConfig = toKubeConfig(kubeconfig);
  const handle = { name, index, kubeConfig, dir };
  const kubelet = kubeletOptions(options);
  const loadBalancer = loadBalancerMode(options, name);
  return new TestCluster({
    name,
    index,
    pki,
    kubeconfig,
    kubeconfigFile,
    kubeConfig,
    apiServer: new ApiServer({
      clusterName: name,
      binary: assets.kubeApiserver,
      etcdUrl,
      port,
      dir,
      pki,
      egressSocket: kubelet ? egressSocketPath(dir) : undefined,
    }),
    controllerManager: options.controllerManager
      ? new ControllerManager({ clusterName: name, binary: assets.kubeControllerManager, kubeconfigFile, dir, pki })
      : undefined,
    kubelet: kubelet ? new FakeKubelet(handle, kubelet) : undefined,
    loadBalancer: loadBalancer ? new FakeLoadBalancer(handle, loadBalancer) : undefined,
    dir,
  });
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const started = performance.now();
  checkFleetOptions(options);
  const assets = options.assets ?? (await resolveKubeAssets());
  const id = randomBytes(4).toString('hex');
  const dir = await mkdtemp(join(scratchRoot(), `promfleet-fleet-${id}-`));
  let etcd: Etcd | undefined;
  const clusters: TestCluster[] = [];
  try {
    await mkdir(join(dir, 'etcd'));
    const etcdStarted = Etcd.start(assets.etcd, join(dir, 'etcd'));
    const prepared = await Promise.all(options.clusters.map((name, index) => prepareCluster(dir, id, name, index)));
    etcd = await etcdStarted;
    const etcdUrl = etcd.url;
    await Promise.all(
      prepared.map(async (cluster) => {
        const created = createCluster(cluster, options, assets, etcdUrl);
        clusters[cluster.index] = created;
        await created.start();
        await Promise.all([created.kubelet?.start(), created.loadBalancer?.start()]);
      }),
    );
    return new Fleet({ id, dir, etcd, clusters, startupMs: performance.now() - started });
  } catch (error) {
    await stopAll(clusters, etcd, dir);
    throw error;
  }
}
