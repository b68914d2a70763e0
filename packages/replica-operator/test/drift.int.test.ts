import { Deployments, ResourceClient, Services } from '@promfleet/kube/client';
import { beforeAll, describe, expect, it } from 'vitest';

import { eventually, nudge, replica, useOperatorFleet, waitForPhase } from './harness.ts';

const env = useOperatorFleet();

beforeAll(async () => {
  await env.namespace('drift');
  await env.api.replicas.create(replica('demo', 'drift', { highlyAvailable: true, baseDomain: 'prometheus.example.com' }));
  await waitForPhase(env.api, 'drift', 'demo', 'Running');
});

describe('drift', () => {
  it('recreates a child deleted by hand', async () => {
    const services = new ResourceClient(env.api.client, Services);
    const before = await services.get('demo-thanos-query', 'drift');
    await services.delete('demo-thanos-query', 'drift');
    const after = await eventually('the Service back', () => services.get('demo-thanos-query', 'drift'));
    expect(after.metadata?.uid).not.toBe(before?.metadata?.uid);
  });

  it('restores a child edited by hand', async () => {
    const deployments = new ResourceClient(env.api.client, Deployments);
    await deployments.patch('demo-thanos-query', 'drift', { spec: { replicas: 5 } });
    await eventually('replicas restored to 2', async () => (await deployments.get('demo-thanos-query', 'drift'))?.spec?.replicas === 2);
  });

  it('makes no write at all in steady state', async () => {
    await waitForPhase(env.api, 'drift', 'demo', 'Running');
    // Let the restore above settle: pods rolling back, status catching up, until a reconcile writes nothing.
    await eventually('status settled', async () => (await env.api.replicas.get('demo', 'drift'))?.status?.readyPods === '5/5');
    await eventually('a reconcile that writes nothing', async () => {
      const writes = await env.operator.writes();
      await nudge(env.api, env.operator, 'drift', 'demo');
      return (await env.operator.writes()) === writes;
    });
    const before = await env.operator.writes();
    // Steady: reconciles of the unchanged replica (and the operator's own in between) write nothing.
    for (let round = 0; round < 3; round++) await nudge(env.api, env.operator, 'drift', 'demo');
    expect(await env.operator.writes()).toBe(before);
  }, 60_000);
});
