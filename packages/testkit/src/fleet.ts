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
import { freePort, PortInUseError } from './process/ports.ts';

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
}

interface AddressedCluster extends PreparedCluster {
  port: number;
  kubeconfig: KubeconfigFile;
  kubeconfigFile: string;
}

/** Directory and certificates of one cluster: what stays when its API server moves to another port. */
async function prepareCluster(fleetDir: string, name: string, index: number): Promise<PreparedCluster> {
  const dir = join(fleetDir, name);
  await mkdir(dir);
  return { name, index, dir, pki: await createClusterPKI(dir, name) };
}

/** A port for the cluster's API server and the admin kubeconfig that points at it. */
async function addressCluster(prepared: PreparedCluster, fleetId: string): Promise<AddressedCluster> {
  const port = await freePort();
  const kubeconfig = buildKubeconfig({
    name: `${prepared.name}-admin-${fleetId}`,
    server: `https://127.0.0.1:${String(port)}`,
    ca: prepared.pki.caCert,
    user: { cert: prepared.pki.adminCert, key: prepared.pki.adminKey },
  });
  const kubeconfigFile = join(prepared.dir, 'admin.kubeconfig');
  await writeFile(kubeconfigFile, kubeconfigYAML(kubeconfig), { mode: 0o600 });
  return { ...prepared, port, kubeconfig, kubeconfigFile };
}

const API_SERVER_PORT_ATTEMPTS = 3;

/**
 * Starts the cluster's control plane, on another port when another process took the one chosen
 * before the API server bound it. Each try's cluster goes into `started` so a failure stops it.
 */
async function startControlPlane(prepared: PreparedCluster, fleetId: string, start: (cluster: AddressedCluster) => TestCluster): Promise<TestCluster> {
  for (let attempt = 1; ; attempt++) {
    const cluster = start(await addressCluster(prepared, fleetId));
    try {
      await cluster.start();
      return cluster;
    } catch (error) {
      await cluster.stop();
      if (!(error instanceof PortInUseError) || attempt >= API_SERVER_PORT_ATTEMPTS) throw error;
    }
  }
}

function createCluster(prepared: AddressedCluster, options: FleetOptions, assets: KubeAssets, etcdUrl: string): TestCluster {
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
      profiling: options.apiServerProfiling,
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
    const prepared = await Promise.all(options.clusters.map((name, index) => prepareCluster(dir, name, index)));
    etcd = await etcdStarted;
    const etcdUrl = etcd.url;
    await Promise.all(
      prepared.map(async (cluster) => {
        const created = await startControlPlane(cluster, id, (addressed) => (clusters[cluster.index] = createCluster(addressed, options, assets, etcdUrl)));
        await Promise.all([created.kubelet?.start(), created.loadBalancer?.start()]);
      }),
    );
    return new Fleet({ id, dir, etcd, clusters, startupMs: performance.now() - started });
  } catch (error) {
    await stopAll(clusters, etcd, dir);
    throw error;
  }
}
