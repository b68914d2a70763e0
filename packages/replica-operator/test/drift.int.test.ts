import { Deployments, Namespaces, ResourceClient, Services } from '@promfleet/kube';
import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInputs, eventually, replica, startOperator, testClient, waitForPhase, type OperatorProcess, type TestClient } from './harness.ts';

let fleet: Fleet;
let operator: OperatorProcess;
let api: TestClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['member'], controllerManager: true });
  const cluster = fleet.cluster('member');
  await installCRDs(cluster);
  api = testClient(cluster);
  operator = await startOperator(cluster.kubeconfigFile);
  await new ResourceClient(api.client, Namespaces).create({ metadata: { name: 'drift' } });
  await createInputs(api, 'drift');
  await api.replicas.create(replica('demo', 'drift', { highlyAvailable: true, baseDomain: 'prometheus.example.com' }));
  await waitForPhase(api, 'drift', 'demo', 'Running');
});

afterAll(async () => {
  await operator.stop();
  await api.client.close();
  await fleet.stop();
});

describe('drift', () => {
  it('recreates a child deleted by hand', async () => {
    const services = new ResourceClient(api.client, Services);
    const before = await services.get('demo-thanos-query', 'drift');
    await services.delete('demo-thanos-query', 'drift');
    const after = await eventually('the Service back', () => services.get('demo-thanos-query', 'drift'));
    expect(after.metadata?.uid).not.toBe(before?.metadata?.uid);
  });

  it('restores a child edited by hand', async () => {
    const deployments = new ResourceClient(api.client, Deployments);
    await deployments.patch('demo-thanos-query', 'drift', { spec: { replicas: 5 } });
    await eventually('replicas restored to 2', async () => (await deployments.get('demo-thanos-query', 'drift'))?.spec?.replicas === 2);
  });

  it('makes no write at all in steady state (30 s)', async () => {
    await waitForPhase(api, 'drift', 'demo', 'Running');
    // Let the restore above settle: pods rolling back, status catching up.
    await eventually('status settled', async () => (await api.replicas.get('demo', 'drift'))?.status?.readyPods === '5/5');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = await operator.writes();
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    expect(await operator.writes()).toBe(before);
  }, 60_000);
});
