import { join } from '@promfleet/cli';
import { ConfigMaps, KubeClient, Namespaces, ResourceClient, Secrets } from '@promfleet/kube/client';
import { KitMetrics } from '@promfleet/kube/observability';
import {
  ENTRIES,
  EXTERNAL_DNS_CRD_DIR,
  freePort,
  HUB_NAMESPACE,
  installCRDs,
  MemoryCgroup,
  OBJSTORE,
  PROMETHEUS_CONFIG,
  startFleet,
  startNodeProcess,
  type Fleet,
  type LoadBalancerMode,
  type NodeProcess,
  type TestCluster,
} from '@promfleet/testkit';
import pLimit from 'p-limit';

import { registerMember } from './fast-join.ts';

/** Hub namespace of the benchmarks' PrometheusClusters. */
export const BENCH_NAMESPACE = 'bench';

export interface BenchFleetOptions {
  /** Member API servers (`m0`…), each holding a share of the members as namespaces; 1 to 8. */
  readonly memberServers: number;
  /** One replica operator process per member API server, watching every namespace. */
  readonly operators: boolean;
  readonly loadBalancer?: LoadBalancerMode;
  /** Run the controllers with an inspector on a free port, for memory readings after a full collection. */
  readonly inspect?: boolean;
  /** The API servers serve Go's profiler at `/debug/pprof` (`apiServer.cpuProfile`). */
  readonly apiServerProfiling?: boolean;
  /**
   * Run the hub in a memory cgroup with this limit, as its chart's container limit would (Node
   * sizes its heap from it; going over it is an OOM kill). Where the machine has no memory
   * cgroup to give, the hub runs without one and `hubCgroup` is undefined.
   */
  readonly hubMemoryLimitBytes?: number;
  /** Node and V8 options every start of the hub gets in NODE_OPTIONS, as the chart's `nodeOptions` sets them. */
  readonly hubNodeOptions?: string;
  /** Flags every start of the hub gets (restarts too), before those `startHub` adds. */
  readonly hubArgs?: readonly string[];
  /**
   * The hub exited on its own (lost its Lease, or was killed): its exit code and its last log
   * lines. With it, the hub is started again, as its Deployment would; without it, an exit is
   * left as it is.
   */
  readonly onHubExit?: (code: number | null, lastLines: string) => void;
}

/** A member of the fleet: a namespace on one of the member API servers, joined with its own credential. */
export interface BenchMember {
  readonly name: string;
  readonly namespace: string;
  /** Index into `BenchFleet.servers`. */
  readonly server: number;
}

/**
 * A hub and up to eight member API servers, where a member is a namespace joined with
 * `promfleet join --namespace` (so N members are N credentials and N connections in the hub),
 * the replica operator as one process per API server, and the hub as a process.
 */
export class BenchFleet {
  readonly fleet: Fleet;
  readonly hubCluster: TestCluster;
  readonly servers: readonly TestCluster[];
  /** The benchmark's own requests, so they can be told apart from the controllers'. */
  readonly metrics = new KitMetrics();
  /** Admin on the hub. */
  readonly hub: KubeClient;
  /** Admin on each member API server. */
  readonly admins: readonly KubeClient[];
  readonly operators: NodeProcess[] = [];
  readonly members: BenchMember[] = [];
  readonly #inspect: boolean;
  readonly #onHubExit: ((code: number | null, lastLines: string) => void) | undefined;
  readonly #hubArgs: readonly string[];
  readonly #hubNodeOptions: string | undefined;
  readonly #inspectorPorts = new Map<NodeProcess, number>();
  #hubProcess: NodeProcess | undefined;
  #hubCgroup: MemoryCgroup | undefined;
  #stopped = false;

  private constructor(fleet: Fleet, options: BenchFleetOptions) {
    const { memberServers } = options;
    this.fleet = fleet;
    this.#inspect = options.inspect ?? false;
    this.#onHubExit = options.onHubExit;
    this.#hubArgs = options.hubArgs ?? [];
    this.#hubNodeOptions = options.hubNodeOptions;
    this.hubCluster = fleet.cluster('hub');
    this.servers = Array.from({ length: memberServers }, (_, i) => fleet.cluster(`m${String(i)}`));
    this.hub = new KubeClient(this.hubCluster.kubeConfig, { cluster: 'hub', metrics: this.metrics });
    this.admins = this.servers.map((server) => new KubeClient(server.kubeConfig, { cluster: server.name, metrics: this.metrics }));
  }

  static async start(options: BenchFleetOptions): Promise<BenchFleet> {
    const names = Array.from({ length: options.memberServers }, (_, i) => `m${String(i)}`);
    const fleet = await startFleet({
      clusters: ['hub', ...names],
      controllerManager: options.operators,
      loadBalancer: Object.fromEntries(names.map((name) => [name, options.loadBalancer ?? 'ipv4'])),
      ...(options.apiServerProfiling ? { apiServerProfiling: true } : {}),
    });
    const bench = new BenchFleet(fleet, options);
    try {
      if (options.hubMemoryLimitBytes !== undefined) bench.#hubCgroup = await MemoryCgroup.create('promfleet-hub', options.hubMemoryLimitBytes);
      await Promise.all([
        installCRDs(bench.hubCluster),
        installCRDs(bench.hubCluster, { dir: EXTERNAL_DNS_CRD_DIR }),
        ...bench.servers.map((server) => installCRDs(server)),
      ]);
      await new ResourceClient(bench.hub, Namespaces).create({ metadata: { name: BENCH_NAMESPACE } });
      if (options.operators) {
        for (const server of bench.servers) {
          bench.operators.push(
            await bench.startProcess(`replica-operator-${server.name}`, ENTRIES.replicaOperator, [
              `--kubeconfig=${server.kubeconfigFile}`,
              '--leader-election-namespace=default',
              '--log-level=warn',
            ]),
          );
        }
      }
      return bench;
    } catch (error) {
      await bench.stop();
      throw error;
    }
  }

  /** Whether a hub process runs now (not between an exit and its restart). */
  get hubRunning(): boolean {
    return this.#hubProcess !== undefined;
  }

  get hubProcess(): NodeProcess {
    if (!this.#hubProcess) throw new Error('the hub was not started');
    return this.#hubProcess;
  }

  /**
   * Joins `count` more members, round-robin over the member API servers: the region's inputs
   * (Prometheus config, bucket Secret) in a namespace of their own, then the CLI's `join` with
   * `--namespace`, which issues that namespace's credential and registers it in the hub.
   */
  async join(count: number, labels: Readonly<Record<string, string>>, concurrency = 8): Promise<BenchMember[]> {
    return this.#add(count, concurrency, async (member, admin, cluster) => {
      await join({ name: member.name, member: admin, hub: this.hub, memberCA: cluster.ca, namespace: member.namespace, labels });
      await createRegionInputs(admin, member.namespace);
    });
  }

  /**
   * Like `join`, for fleets of a thousand: the same credential and registration written directly
   * (registerMember), without join's checks and verification.
   */
  async register(count: number, labels: Readonly<Record<string, string>>, concurrency = 32): Promise<BenchMember[]> {
    const namespaces = new ResourceClient(this.hub, Namespaces);
    if (!(await namespaces.get(HUB_NAMESPACE))) await namespaces.create({ metadata: { name: HUB_NAMESPACE } });
    return this.#add(count, concurrency, async (member, admin, cluster) => {
      await registerMember({ name: member.name, namespace: member.namespace, admin, cluster, hub: this.hub, labels });
      await createRegionInputs(admin, member.namespace);
    });
  }

  async #add(count: number, concurrency: number, add: (member: BenchMember, admin: KubeClient, cluster: TestCluster) => Promise<void>): Promise<BenchMember[]> {
    const limit = pLimit(concurrency);
    const first = this.members.length;
    const added = await Promise.all(
      Array.from({ length: count }, (_, offset) =>
        limit(async () => {
          const index = first + offset;
          const server = index % this.servers.length;
          const name = `member-${String(index).padStart(3, '0')}`;
          const admin = this.admins[server];
          const cluster = this.servers[server];
          if (!admin || !cluster) throw new Error(`no member API server ${String(server)}`);
          const member = { name, namespace: name, server };
          await add(member, admin, cluster);
          return member;
        }),
      ),
    );
    this.members.push(...added);
    return added;
  }

  /** Starts the hub process on the hub cluster (leader election on, as deployed). */
  async startHub(extraArgs: readonly string[] = []): Promise<NodeProcess> {
    const started = await this.startProcess(
      'promfleet-hub',
      ENTRIES.hub,
      [`--kubeconfig=${this.hubCluster.kubeconfigFile}`, `--namespace=${HUB_NAMESPACE}`, '--log-level=warn', ...this.#hubArgs, ...extraArgs],
      { cgroup: this.#hubCgroup, nodeOptions: this.#hubNodeOptions },
    );
    this.#hubProcess = started;
    const onExit = this.#onHubExit;
    if (onExit) {
      void started.process.exited.then(async (code) => {
        // Stopped on purpose (stopHub, stop) unless it is still the hub.
        if (this.#hubProcess !== started) return;
        this.#hubProcess = undefined;
        onExit(code, started.process.logTail(40));
        // Ended already: this removes its log folder.
        await started.stop();
        try {
          const restarted = await this.startHub(extraArgs);
          if (this.#stopped) await restarted.stop();
        } catch {
          // The fleet is stopping, or the hub does not come up: whoever waits for it (hubRunning) times out.
        }
      });
    }
    return started;
  }

  /** SIGTERM to the hub; resolves when it has exited. */
  async stopHub(): Promise<void> {
    const hub = this.hubProcess;
    this.#hubProcess = undefined;
    await hub.stop();
  }

  /** The memory cgroup the hub runs in (see `hubMemoryLimitBytes`). */
  get hubCgroup(): MemoryCgroup | undefined {
    return this.#hubCgroup;
  }

  /** The controller processes running: the hub (once started) and the operators. */
  get controllers(): NodeProcess[] {
    return [...(this.#hubProcess ? [this.#hubProcess] : []), ...this.operators];
  }

  /** The inspector port of a controller process (with `inspect`). */
  inspectorPort(process: NodeProcess): number {
    const port = this.#inspectorPorts.get(process);
    if (port === undefined) throw new Error(`${process.process.name} runs without an inspector (start the fleet with inspect: true)`);
    return port;
  }

  /**
   * A controller process from `entry` (a main.ts, or a bundle), in `cgroup` if given, with
   * `nodeOptions` added to NODE_OPTIONS, and with an inspector when the fleet has `inspect`.
   */
  async startProcess(
    name: string,
    entry: string,
    args: readonly string[],
    { cgroup, nodeOptions }: { readonly cgroup?: MemoryCgroup | undefined; readonly nodeOptions?: string | undefined } = {},
  ): Promise<NodeProcess> {
    const port = this.#inspect ? await freePort() : undefined;
    const options = [process.env.NODE_OPTIONS, nodeOptions, port === undefined ? undefined : `--inspect=127.0.0.1:${String(port)}`].filter(
      (option) => !!option,
    );
    const env = options.length > 0 ? { NODE_OPTIONS: options.join(' ') } : {};
    const started = await startNodeProcess({ name, entry, args, env, ...(cgroup ? { cgroup } : {}) });
    if (port !== undefined) this.#inspectorPorts.set(started, port);
    return started;
  }

  /** The members of one API server. */
  membersOn(server: number): BenchMember[] {
    return this.members.filter((member) => member.server === server);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const hub = this.#hubProcess;
    this.#hubProcess = undefined;
    await Promise.all([hub?.stop(), ...this.operators.map((operator) => operator.stop())]);
    await this.#hubCgroup?.remove();
    await Promise.all([this.hub, ...this.admins].map((client) => client.close()));
    await this.fleet.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** What a region admin creates before any replica, in the member's own namespace. */
export async function createRegionInputs(admin: KubeClient, namespace: string): Promise<void> {
  await new ResourceClient(admin, ConfigMaps).create({ metadata: { name: 'prometheus-config', namespace }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
  await new ResourceClient(admin, Secrets).create({ metadata: { name: 's3-bucket', namespace }, stringData: { 'objstore.yml': OBJSTORE } });
}
