import { fileURLToPath } from 'node:url';

import { API_VERSION, type PrometheusReplica, type PrometheusReplicaSpecInput, PrometheusReplicas } from '@promfleet/api';
import { ConfigMaps, KubeClient, Namespaces, ResourceClient, Secrets } from '@promfleet/kube/client';
import { WRITE_VERBS } from '@promfleet/kube/testing';
import {
  createRegionInputs,
  eventually,
  installCRDs,
  parseMetricsText,
  startFleet,
  startNodeProcess,
  type Fleet,
  type ManagedProcess,
  type TestCluster,
} from '@promfleet/testkit';
import { afterAll, beforeAll } from 'vitest';

export { createRegionInputs, eventually };
export { OBJSTORE, PROMETHEUS_CONFIG } from '@promfleet/testkit';

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
    // Secrets are polled, not watched: a short interval keeps tests of Secret changes quick.
    args: [`--kubeconfig=${kubeconfigFile}`, '--leader-election-namespace=default', '--secret-poll-interval=1s', ...args],
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
  return parseMetricsText(metricsText, ['promfleet_kube_requests_total'])
    .filter((sample) => verbs.includes(sample.labels.verb ?? '') && !excludedResources.includes(sample.labels.resource ?? ''))
    .reduce((total, sample) => total + sample.value, 0);
}

/** promfleet_reconcile_total of the operator for one result (success, error, requeue, terminal). */
export async function sumReconciles(operator: OperatorProcess, result: string): Promise<number> {
  return parseMetricsText(await (await fetch(`${operator.url}/metrics`)).text(), ['promfleet_reconcile_total'])
    .filter((sample) => sample.labels.result === result)
    .reduce((total, sample) => total + sample.value, 0);
}

/**
 * Makes the operator reconcile a replica without changing anything it builds (an annotation on
 * the replica), and waits until it has: another reconcile finished and none queued or running.
 * What steady-state tests wait on instead of time.
 */
export async function nudge(api: TestClient, operator: OperatorProcess, namespace: string, name: string): Promise<void> {
  const metrics = async () =>
    parseMetricsText(await (await fetch(`${operator.url}/metrics`)).text(), [
      'promfleet_reconcile_total',
      'promfleet_workqueue_depth',
      'promfleet_workqueue_unfinished_work_seconds',
    ]);
  const sum = (samples: Awaited<ReturnType<typeof metrics>>, metric: string) =>
    samples.filter((sample) => sample.name === metric).reduce((total, sample) => total + sample.value, 0);
  const before = sum(await metrics(), 'promfleet_reconcile_total');
  await api.replicas.patch(name, namespace, { metadata: { annotations: { 'test.promfleet.io/nudge': String(Date.now()) } } }, { type: 'merge' });
  await eventually(`a reconcile of ${namespace}/${name} after the nudge`, async () => {
    const samples = await metrics();
    return (
      sum(samples, 'promfleet_reconcile_total') > before &&
      sum(samples, 'promfleet_workqueue_depth') === 0 &&
      sum(samples, 'promfleet_workqueue_unfinished_work_seconds') === 0
    );
  });
}

/** promfleet_kube_requests_total of the operator for one verb on one resource. */
export async function countRequests(operator: OperatorProcess, verb: string, resource: string): Promise<number> {
  return parseMetricsText(await (await fetch(`${operator.url}/metrics`)).text(), ['promfleet_kube_requests_total'])
    .filter((sample) => sample.labels.verb === verb && sample.labels.resource === resource)
    .reduce((total, sample) => total + sample.value, 0);
}

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

export function replica(name: string, namespace: string, spec: Partial<PrometheusReplicaSpecInput> = {}): PrometheusReplica {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusReplica',
    metadata: { name, namespace },
    spec: { configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  } as PrometheusReplica;
}

export async function waitForPhase(api: TestClient, namespace: string, name: string, phase: string, timeoutMs = 90_000): Promise<PrometheusReplica> {
  return eventually(
    `${namespace}/${name} to be ${phase}`,
    async () => {
      const current = await api.replicas.get(name, namespace);
      return current?.status?.phase === phase && current.status.observedGeneration === current.metadata.generation ? current : undefined;
    },
    timeoutMs,
  );
}

/**
 * For one test file: a member cluster (with a controller-manager and the fake kubelet), the
 * CRDs, and the operator running as a process; hooks are registered here, handles are ready
 * inside tests. `namespace()` makes a namespace with the region admin's inputs.
 */
export function useOperatorFleet(args: readonly string[] = []) {
  let fleet: Fleet | undefined;
  let api: TestClient | undefined;
  let operator: OperatorProcess | undefined;
  beforeAll(async () => {
    fleet = await startFleet({ clusters: ['member'], controllerManager: true });
    const cluster = fleet.cluster('member');
    await installCRDs(cluster);
    api = testClient(cluster);
    operator = await startOperator(cluster.kubeconfigFile, args);
  });
  afterAll(async () => {
    await operator?.stop();
    await api?.client.close();
    await fleet?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useOperatorFleet: used outside a test');
    return value;
  };
  return {
    get api(): TestClient {
      return ready(api);
    },
    get operator(): OperatorProcess {
      return ready(operator);
    },
    async namespace(name: string, inputs = true): Promise<string> {
      if (!inputs) await new ResourceClient(ready(api).client, Namespaces).create({ metadata: { name } });
      else await createRegionInputs(ready(api).client, name);
      return name;
    },
  };
}
