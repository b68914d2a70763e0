import { describe, expect, it } from 'vitest';

import { eventually, replica, useOperatorFleet } from './harness.ts';

const env = useOperatorFleet(['--concurrency=8']);

describe('many replicas in one cluster', () => {
  it('converges 50 PrometheusReplicas to Running', async () => {
    await env.namespace('scale');
    const started = performance.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => env.api.replicas.create(replica(`r${String(i).padStart(2, '0')}`, 'scale'))));
    const running = await eventually(
      'all 50 Running',
      async () => {
        const list = (await env.api.replicas.list({ namespace: 'scale' })).items;
        return list.length === 50 && list.every((r) => r.status?.phase === 'Running') ? list : undefined;
      },
      240_000,
    );
    console.log(`50 PrometheusReplicas (200 pods: Prometheus, Store, Query, Compactor) Running after ${String(Math.round(performance.now() - started))} ms`);
    expect(running.every((r) => r.status?.readyPods === '3/3')).toBe(true);
  }, 300_000);
});
