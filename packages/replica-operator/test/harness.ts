import { fileURLToPath } from 'node:url';

import { API_VERSION, type PrometheusReplica, type PrometheusReplicaSpecInput } from '@promfleet/api';
import { ConfigMaps, KubeClient, PrometheusReplicas, ResourceClient, Secrets, WRITE_VERBS } from '@promfleet/kube';
import { startNodeProcess, type ManagedProcess, type TestCluster } from '@promfleet/testkit';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface OperatorProcess {
  readonly url: string;
  readonly process: ManagedProcess;
  /** Write requests the operator has sent, from its own /metrics, not counting Lease renewals. */
  writes(): Promise<number>;
  stop(): Promise<void>;
}

/** Runs the operator as production does: its main.ts, flags, a kubeconfig, leader election. */
export async function startOperator(kubeconfigFile: string, args: readonly string[] = []): Promise<OperatorProcess> {
  const started = await startNodeProcess({
    name: 'promfleet-replica-operator',
    entry: MAIN,
    args: [`--kubeconfig=${kubeconfigFile}`, '--leader-election-namespace=default', ...args],
  });
  return {
    url: started.url,
    process: started.process,
    writes: async () => sumRequests(await (await fetch(`${started.url}/metrics`)).text(), WRITE_VERBS, ['leases']),
    stop: () => started.stop(),
  };
}

/** Sum of promfleet_kube_requests_total samples with one of `verbs`, outside `excludedResources`. */
export function sumRequests(metricsText: string, verbs: readonly string[], excludedResources: readonly string[] = []): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    const match = /^promfleet_kube_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match?.[1]) continue;
    const verb = /verb="([^"]*)"/.exec(match[1])?.[1];
    const resource = /resource="([^"]*)"/.exec(match[1])?.[1] ?? '';
    if (verb && verbs.includes(verb) && !excludedResources.includes(resource)) total += Number(match[2]);
  }
  return total;
}

export const PROMETHEUS_CONFIG = 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n';
export const OBJSTORE = 'type: S3\nconfig:\n  bucket: metrics\n  endpoint: s3.example.com\n';

/** A kit client for assertions, and typed accessors for what tests touch. */
export function testClient(cluster: TestCluster) {
  const client = new KubeClient(cluster.kubeConfig, { cluster: cluster.name });
  return {
    client,
    replicas: new ResourceClient(client, PrometheusReplicas),
    configMaps: new ResourceClient(client, ConfigMaps),
    secrets: new ResourceClient(client, Secrets),
  };
}

export type TestClient = ReturnType<typeof testClient>;

/** The ConfigMap and bucket Secret a region admin creates before asking for a replica. */
export async function createInputs(api: TestClient, namespace: string, names = { configMap: 'prometheus-config', secret: 's3-bucket' }): Promise<void> {
  await api.configMaps.create({ metadata: { name: names.configMap, namespace }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
  await api.secrets.create({ metadata: { name: names.secret, namespace }, stringData: { 'objstore.yml': OBJSTORE } });
}

export function replica(name: string, namespace: string, spec: Partial<PrometheusReplicaSpecInput> = {}): PrometheusReplica {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusReplica',
    metadata: { name, namespace },
    spec: { configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  } as PrometheusReplica;
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function waitForPhase(api: TestClient, namespace: string, name: string, phase: string, timeoutMs = 90_000): Promise<PrometheusReplica> {
  return eventually(`${namespace}/${name} to be ${phase}`, async () => {
    const current = await api.replicas.get(name, namespace);
    return current?.status?.phase === phase && current.status.observedGeneration === current.metadata.generation ? current : undefined;
  }, timeoutMs);
}
