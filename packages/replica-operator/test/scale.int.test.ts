import { Namespaces, ResourceClient } from '@promfleet/kube';
import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInputs, eventually, replica, startOperator, testClient, type OperatorProcess, type TestClient } from './harness.ts';

let fleet: Fleet;
let operator: OperatorProcess;
let api: TestClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['member'], controllerManager: true });
  const cluster = fleet.cluster('member');
  await installCRDs(cluster);
  api = testClient(cluster);
  operator = await startOperator(cluster.kubeconfigFile, ['--concurrency=8']);
});

afterAll(async () => {
  await operator.stop();
  await api.client.close();
  await fleet.stop();
});

describe('many replicas in one cluster', () => {
  it('converges 50 PrometheusReplicas to Running', async () => {
    await new ResourceClient(api.client, Namespaces).create({ metadata: { name: 'scale' } });
    await createInputs(api, 'scale');
    const started = performance.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => api.replicas.create(replica(`r${String(i).padStart(2, '0')}`, 'scale'))));
    const running = await eventually(
      'all 50 Running',
      async () => {
        const list = (await api.replicas.list({ namespace: 'scale' })).items;
        return list.length === 50 && list.every((r) => r.status?.phase === 'Running') ? list : undefined;
      },
      240_000,
    );
    console.log(`50 PrometheusReplicas (150 pods) Running after ${String(Math.round(performance.now() - started))} ms`);
    expect(running.every((r) => r.status?.readyPods === '3/3')).toBe(true);
  }, 300_000);
});
