import { fileURLToPath } from 'node:url';

import type { MemberCluster, PrometheusCluster } from '@promfleet/api';
import { join as joinMember } from '@promfleet/cli';
import {
  ConfigMaps,
  KitMetrics,
  KubeClient,
  MemberClusters,
  Namespaces,
  PrometheusClusters,
  ResourceClient,
  Secrets,
} from '@promfleet/kube';
import { EXTERNAL_DNS_CRD_DIR, installCRDs, startFleet, startNodeProcess, type Fleet, type NodeProcess, type TestCluster } from '@promfleet/testkit';

const OPERATOR = fileURLToPath(new URL('../../packages/replica-operator/src/main.ts', import.meta.url));
const HUB = fileURLToPath(new URL('../../packages/hub/src/main.ts', import.meta.url));

export const MEMBER_NAMESPACE = 'monitoring';
export const HUB_NAMESPACE = 'promfleet-system';
export const PROMETHEUS_CONFIG = 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n';
export const OBJSTORE = 'type: S3\nconfig:\n  bucket: metrics\n  endpoint: s3.example.com\n';

export interface MemberSpec {
  readonly name: string;
  readonly labels: Record<string, string>;
}

export interface HubSettings {
  readonly probeInterval: string;
  readonly offlineAfter: string;
  readonly deletionTimeout: string;
  readonly redisUrl?: string;
  readonly extraArgs?: readonly string[];
}

/** A promfleet installation on a local fleet: everything as it runs in production, as processes. */
export interface PromfleetFleet {
  readonly fleet: Fleet;
  readonly hubCluster: TestCluster;
  /** Admin client on the hub, with its own request metrics. */
  readonly hub: KubeClient;
  readonly members: Map<string, { cluster: TestCluster; client: KubeClient; operator: NodeProcess }>;
  readonly settings: HubSettings;
  hubProcess: NodeProcess;
  readonly clusters: ResourceClient<PrometheusCluster>;
  readonly memberClusters: ResourceClient<MemberCluster>;
  /** Starts (or restarts) the hub process with the fleet's settings. */
  startHub(extraArgs?: readonly string[]): Promise<NodeProcess>;
  stop(): Promise<void>;
}

/** What a region admin creates before any replica: the Prometheus config and the bucket Secret. */
export async function createRegionInputs(client: KubeClient): Promise<void> {
  const namespaces = new ResourceClient(client, Namespaces);
  if (!(await namespaces.get(MEMBER_NAMESPACE))) await namespaces.create({ metadata: { name: MEMBER_NAMESPACE } });
  await new ResourceClient(client, ConfigMaps).create({ metadata: { name: 'prometheus-config', namespace: MEMBER_NAMESPACE }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
  await new ResourceClient(client, Secrets).create({ metadata: { name: 's3-bucket', namespace: MEMBER_NAMESPACE }, stringData: { 'objstore.yml': OBJSTORE } });
}

/**
 * A hub and members from the testkit; in each member the real replica operator (a process),
 * the region's inputs, and the hub's credential made by the real `join`; then the hub itself as
 * a process. The external-dns DNSEndpoint CRD is installed in the hub.
 */
export async function startPromfleetFleet(members: readonly MemberSpec[], settings: HubSettings): Promise<PromfleetFleet> {
  const fleet = await startFleet({ clusters: ['hub', ...members.map((m) => m.name)], controllerManager: true });
  const started: NodeProcess[] = [];
  try {
    const hubCluster = fleet.cluster('hub');
    await installCRDs(hubCluster);
    await installCRDs(hubCluster, { dir: EXTERNAL_DNS_CRD_DIR });
    const hub = new KubeClient(hubCluster.kubeConfig, { cluster: 'hub', metrics: new KitMetrics() });
    const memberHandles = new Map<string, { cluster: TestCluster; client: KubeClient; operator: NodeProcess }>();
    await Promise.all(
      members.map(async ({ name, labels }) => {
        const cluster = fleet.cluster(name);
        await installCRDs(cluster);
        const client = new KubeClient(cluster.kubeConfig, { cluster: name, metrics: new KitMetrics() });
        const operator = await startNodeProcess({
          name: `operator-${name}`,
          entry: OPERATOR,
          args: [`--kubeconfig=${cluster.kubeconfigFile}`, '--leader-election-namespace=default', '--log-level=warn'],
        });
        started.push(operator);
        await createRegionInputs(client);
        await joinMember({ name, member: client, hub, memberCA: cluster.ca, labels });
        memberHandles.set(name, { cluster, client, operator });
      }),
    );
    const result: PromfleetFleet = {
      fleet,
      hubCluster,
      hub,
      members: memberHandles,
      settings,
      hubProcess: undefined as unknown as NodeProcess,
      clusters: new ResourceClient(hub, PrometheusClusters),
      memberClusters: new ResourceClient(hub, MemberClusters),
      async startHub(extraArgs = []) {
        const process = await startNodeProcess({
          name: 'promfleet-hub',
          entry: HUB,
          args: [
            `--kubeconfig=${hubCluster.kubeconfigFile}`,
            `--namespace=${HUB_NAMESPACE}`,
            `--member-probe-interval=${settings.probeInterval}`,
            `--member-offline-after=${settings.offlineAfter}`,
            `--deletion-timeout=${settings.deletionTimeout}`,
            '--log-level=info',
            ...(settings.redisUrl ? [`--redis-url=${settings.redisUrl}`] : []),
            ...(settings.extraArgs ?? []),
            ...extraArgs,
          ],
        });
        started.push(process);
        result.hubProcess = process;
        return process;
      },
      async stop() {
        await Promise.all(started.map((process) => process.stop()));
        await hub.close();
        await Promise.all([...memberHandles.values()].map(({ client }) => client.close()));
        await fleet.stop();
      },
    };
    await result.startHub();
    return result;
  } catch (error) {
    await Promise.all(started.map((process) => process.stop()));
    await fleet.stop();
    throw error;
  }
}

/** Polls `probe` until it returns something; fails naming `what` (and the last error) after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
