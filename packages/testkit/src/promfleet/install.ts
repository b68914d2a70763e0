import type { MemberCluster, PrometheusCluster } from '@promfleet/api';
import { MemberClusters, PrometheusClusters } from '@promfleet/api';
import { ConfigMaps, KubeClient, Namespaces, ResourceClient, Secrets } from '@promfleet/kube/client';
import { KitMetrics } from '@promfleet/kube/observability';

import type { TestCluster } from '../cluster.ts';
import { EXTERNAL_DNS_CRD_DIR, installCRDs } from '../crds.ts';
import { startFleet, type Fleet } from '../fleet.ts';
import type { KubeletOptions } from '../kubelet/kubelet.ts';
import { startNodeProcess, type NodeProcess } from '../process/node-process.ts';
import { runCli } from './cli.ts';
import { ENTRIES } from './entries.ts';

export const MEMBER_NAMESPACE = 'monitoring';
export const HUB_NAMESPACE = 'promfleet-system';
export const PROMETHEUS_CONFIG =
  'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n';
export const OBJSTORE = 'type: S3\nconfig:\n  bucket: metrics\n  endpoint: s3.example.com\n';

export interface MemberSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface HubSettings {
  readonly probeInterval?: string;
  /** The full credential review's interval; by default the probe interval (every probe a review, as tests of scope checks want). */
  readonly reviewInterval?: string;
  readonly offlineAfter?: string;
  readonly deletionTimeout?: string;
  readonly redisUrl?: string | undefined;
  readonly extraArgs?: readonly string[];
  /** Serve the hub's --listen over TLS with these files, signed by `ca`. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly ca: string } | undefined;
}

export interface PromfleetMember {
  readonly cluster: TestCluster;
  /** Admin client on the member, with its own request metrics. */
  readonly client: KubeClient;
  readonly operator: NodeProcess;
}

/** promfleet installed on a local fleet, every program running as in production. */
export interface Promfleet {
  readonly fleet: Fleet;
  readonly hubCluster: TestCluster;
  /** Admin client on the hub, with its own request metrics. */
  readonly hub: KubeClient;
  readonly members: ReadonlyMap<string, PromfleetMember>;
  readonly clusters: ResourceClient<PrometheusCluster>;
  readonly memberClusters: ResourceClient<MemberCluster>;
  /** The hub process (replaced by `startHub`). */
  readonly hubProcess: NodeProcess;
  /** Starts another hub process with the same settings (for failover), or the first one. */
  startHub(extraArgs?: readonly string[]): Promise<NodeProcess>;
  stop(): Promise<void>;
}

export interface PromfleetOptions {
  readonly members: readonly MemberSpec[];
  readonly hub?: HubSettings;
  /** Start the hub process too (default true). */
  readonly startHub?: boolean;
  /** Progress lines, for the demo. */
  readonly onStep?: (line: string) => void;
  /** The fake kubelets' options, e.g. `{ prometheus: true }` to run the real Prometheus. */
  readonly kubelet?: KubeletOptions;
  /** More flags for every replica operator, e.g. `--secret-poll-interval=1s`. */
  readonly operatorArgs?: readonly string[];
}

/**
 * What a region admin creates before any replica: the namespace (when missing), the Prometheus
 * config `prometheus-config` and the bucket Secret `s3-bucket`.
 */
export async function createRegionInputs(client: KubeClient, namespace = MEMBER_NAMESPACE): Promise<void> {
  const namespaces = new ResourceClient(client, Namespaces);
  if (!(await namespaces.get(namespace))) await namespaces.create({ metadata: { name: namespace } });
  await new ResourceClient(client, ConfigMaps).create({ metadata: { name: 'prometheus-config', namespace }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
  await new ResourceClient(client, Secrets).create({ metadata: { name: 's3-bucket', namespace }, stringData: { 'objstore.yml': OBJSTORE } });
}

/** Joins a member with the real `promfleet join` command. */
export async function joinMember(name: string, member: TestCluster, hub: TestCluster, labels: Readonly<Record<string, string>>): Promise<void> {
  const run = await runCli([
    'join',
    name,
    `--member-kubeconfig=${member.kubeconfigFile}`,
    `--hub-kubeconfig=${hub.kubeconfigFile}`,
    ...Object.entries(labels).map(([key, value]) => `--label=${key}=${value}`),
  ]);
  if (run.code !== 0) throw new Error(`promfleet join ${name} exited ${String(run.code)}:\n${run.stderr}`);
}

/**
 * A hub and members from the testkit; in each member the replica operator (a process), the
 * region's inputs and the hub's credential made by `promfleet join`; the DNSEndpoint CRD in the
 * hub; then the hub itself as a process. What the e2e suites, the benchmarks and the demo run on.
 */
export async function startPromfleet(options: PromfleetOptions): Promise<Promfleet> {
  const step = options.onStep ?? (() => undefined);
  const settings = options.hub ?? {};
  step(`starting a hub and ${String(options.members.length)} member clusters (etcd, kube-apiserver, kube-controller-manager)`);
  const fleet = await startFleet({
    clusters: ['hub', ...options.members.map((m) => m.name)],
    controllerManager: true,
    ...(options.kubelet ? { kubelet: options.kubelet } : {}),
  });
  const processes: NodeProcess[] = [];
  const clients: KubeClient[] = [];
  try {
    const hubCluster = fleet.cluster('hub');
    step('installing the promfleet CRDs and external-dns DNSEndpoint CRD');
    await Promise.all([
      installCRDs(hubCluster),
      installCRDs(hubCluster, { dir: EXTERNAL_DNS_CRD_DIR }),
      ...options.members.map((m) => installCRDs(fleet.cluster(m.name))),
    ]);
    const hub = new KubeClient(hubCluster.kubeConfig, { cluster: 'hub', metrics: new KitMetrics() });
    clients.push(hub);
    const members = new Map<string, PromfleetMember>();
    await Promise.all(
      options.members.map(async ({ name, labels }) => {
        const cluster = fleet.cluster(name);
        const client = new KubeClient(cluster.kubeConfig, { cluster: name, metrics: new KitMetrics() });
        clients.push(client);
        const operator = await startNodeProcess({
          name: `replica-operator-${name}`,
          entry: ENTRIES.replicaOperator,
          args: [`--kubeconfig=${cluster.kubeconfigFile}`, '--leader-election-namespace=default', '--log-level=warn', ...(options.operatorArgs ?? [])],
        });
        processes.push(operator);
        step(`${name}: replica operator running; creating the Prometheus config and bucket Secret in ${MEMBER_NAMESPACE}`);
        await createRegionInputs(client);
        await joinMember(name, cluster, hubCluster, labels);
        step(
          `${name}: joined with promfleet join (${Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')})`,
        );
        members.set(name, { cluster, client, operator });
      }),
    );
    let hubProcess: NodeProcess | undefined;
    const startHub = async (extraArgs: readonly string[] = []): Promise<NodeProcess> => {
      const process = await startNodeProcess({
        name: 'promfleet-hub',
        entry: ENTRIES.hub,
        args: [
          `--kubeconfig=${hubCluster.kubeconfigFile}`,
          `--namespace=${HUB_NAMESPACE}`,
          `--member-probe-interval=${settings.probeInterval ?? '10s'}`,
          `--member-review-interval=${settings.reviewInterval ?? settings.probeInterval ?? '10s'}`,
          `--member-offline-after=${settings.offlineAfter ?? '40s'}`,
          `--deletion-timeout=${settings.deletionTimeout ?? '10m'}`,
          '--log-level=info',
          ...(settings.redisUrl ? [`--redis-url=${settings.redisUrl}`] : []),
          ...(settings.tls ? [`--tls-cert-file=${settings.tls.certFile}`, `--tls-key-file=${settings.tls.keyFile}`] : []),
          ...(settings.extraArgs ?? []),
          ...extraArgs,
        ],
        ...(settings.tls ? { tlsCA: settings.tls.ca } : {}),
      });
      processes.push(process);
      hubProcess = process;
      return process;
    };
    if (options.startHub !== false) {
      step('starting promfleet-hub');
      await startHub();
    }
    return {
      fleet,
      hubCluster,
      hub,
      members,
      clusters: new ResourceClient(hub, PrometheusClusters),
      memberClusters: new ResourceClient(hub, MemberClusters),
      get hubProcess(): NodeProcess {
        if (!hubProcess) throw new Error('the hub was not started');
        return hubProcess;
      },
      startHub,
      async stop() {
        await Promise.all(processes.map((process) => process.stop()));
        await Promise.all(clients.map((client) => client.close()));
        await fleet.stop();
      },
    };
  } catch (error) {
    await Promise.all(processes.map((process) => process.stop()));
    await Promise.all(clients.map((client) => client.close()));
    await fleet.stop();
    throw error;
  }
}
