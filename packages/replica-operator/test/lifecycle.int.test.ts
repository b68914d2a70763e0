import { Deployments, Ingresses, ResourceClient, Services, StatefulSets, resourceType } from '@promfleet/kube/client';
import { describe, expect, it } from 'vitest';

import { eventually, replica, useOperatorFleet, waitForPhase } from './harness.ts';

const env = useOperatorFleet();

const namespace = (name: string, inputs = true) => env.namespace(name, inputs);

const names = (list: { metadata?: { name?: string | undefined } | undefined }[]) => list.map((o) => o.metadata?.name).sort();

describe('PrometheusReplica lifecycle', () => {
  it('creates every object and reaches Running with ready pods and Ingress addresses', async () => {
    const ns = await namespace('create');
    await env.api.replicas.create(replica('demo', ns, { baseDomain: 'prometheus.example.com' }));
    const running = await waitForPhase(env.api, ns, 'demo', 'Running');

    expect(names((await new ResourceClient(env.api.client, StatefulSets).list({ namespace: ns })).items)).toEqual([
      'demo-compactor',
      'demo-prometheus',
      'demo-thanos-store',
    ]);
    expect(names((await new ResourceClient(env.api.client, Deployments).list({ namespace: ns })).items)).toEqual(['demo-thanos-query']);
    expect(names((await new ResourceClient(env.api.client, Services).list({ namespace: ns })).items)).toEqual([
      'demo-compactor',
      'demo-thanos-query',
      'demo-thanos-sidecar',
      'demo-thanos-store',
    ]);
    expect(names((await new ResourceClient(env.api.client, Ingresses).list({ namespace: ns })).items)).toEqual(['demo']);
    expect(running.status).toMatchObject({
      readyPods: '3/3',
      output: { query: 'http://demo-thanos-query.create.svc.cluster.local:9090', queryHost: 'query.prometheus.example.com' },
      local: { prometheus: ['demo-prometheus-0'], store: ['demo-thanos-store-0'], compactor: ['demo-compactor-0'] },
    });
    expect(running.status?.output?.addresses?.[0]).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    expect(running.status?.local?.query).toHaveLength(1);
    const settled = await eventually('the Compactor ready and Prometheus asked', async () => {
      const current = await env.api.replicas.get('demo', ns);
      const types = (current?.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`);
      return types.includes('CompactorReady=True') && types.some((t) => t.startsWith('ConfigApplied=')) ? current : undefined;
    });
    const conditions = Object.fromEntries((settled.status?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
    // The fake kubelet runs no Prometheus: there is nothing to ask, so ConfigApplied stays Unknown.
    expect(conditions).toEqual({
      Ready: 'True/AllTiersReady',
      Reconciled: 'True/ReconcileSucceeded',
      ConfigValid: 'True/Valid',
      BucketSecretValid: 'True/Valid',
      PersistentStorage: 'False/EmptyDir',
      ConfigApplied: 'Unknown/Pending',
      CompactorReady: 'True/CompactorRunning',
    });
  });

  it('scales to two and adds PodDisruptionBudgets with highlyAvailable, and back', async () => {
    const ns = await namespace('ha');
    const pdbs = new ResourceClient(env.api.client, resourceType('policy', 'v1beta1', 'poddisruptionbudgets', 'PodDisruptionBudget', true));
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    expect((await pdbs.list({ namespace: ns })).items).toEqual([]);

    await env.api.replicas.patch('demo', ns, { spec: { highlyAvailable: true } });
    const ha = await eventually('5 ready pods', async () => {
      const current = await waitForPhase(env.api, ns, 'demo', 'Running');
      return current.status?.readyPods === '5/5' ? current : undefined;
    });
    expect(ha.status?.local?.prometheus).toEqual(['demo-prometheus-0', 'demo-prometheus-1']);
    expect(names((await pdbs.list({ namespace: ns })).items)).toEqual(['demo-prometheus', 'demo-thanos-query']);

    await env.api.replicas.patch('demo', ns, { spec: { highlyAvailable: false } });
    await eventually('back to 3 pods without PDBs', async () => {
      const current = await env.api.replicas.get('demo', ns);
      const left = (await pdbs.list({ namespace: ns })).items;
      return current?.status?.phase === 'Running' && current.status.readyPods === '3/3' && left.length === 0;
    });
  });

  it('creates and deletes the Ingress and Grafana as baseDomain and grafana.enabled come and go', async () => {
    const ns = await namespace('optional');
    const ingresses = new ResourceClient(env.api.client, Ingresses);
    const deployments = new ResourceClient(env.api.client, Deployments);
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    expect((await ingresses.list({ namespace: ns })).items).toEqual([]);

    await env.api.replicas.patch('demo', ns, { spec: { baseDomain: 'prometheus.example.com', grafana: { enabled: true } } });
    const withGrafana = await eventually('Grafana running with its host', async () => {
      const current = await waitForPhase(env.api, ns, 'demo', 'Running');
      return current.status?.readyPods === '4/4' && current.status.output?.grafanaHost ? current : undefined;
    });
    expect(withGrafana.status?.output?.grafanaHost).toBe('grafana.prometheus.example.com');
    expect((await ingresses.get('demo', ns))?.spec?.rules?.map((r) => r.host)).toEqual(['query.prometheus.example.com', 'grafana.prometheus.example.com']);

    await env.api.replicas.patch('demo', ns, { spec: { baseDomain: null, grafana: { enabled: false } } });
    await eventually('Ingress and Grafana gone', async () => {
      const ingress = await ingresses.get('demo', ns);
      const grafana = await deployments.get('demo-grafana', ns);
      const current = await env.api.replicas.get('demo', ns);
      return !ingress && !grafana && current?.status?.output?.queryHost === undefined && current?.status?.readyPods === '3/3';
    });
  });

  it('leaves everything alone while paused, and says so', async () => {
    const ns = await namespace('paused');
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    await env.api.replicas.patch('demo', ns, { spec: { paused: true, highlyAvailable: true } });
    const paused = await waitForPhase(env.api, ns, 'demo', 'Paused');
    expect(paused.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'Paused' });
    expect((await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.replicas).toBe(1);
    await env.api.replicas.patch('demo', ns, { spec: { paused: false } });
    await eventually(
      'unpaused and scaled',
      async () => (await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.replicas === 2,
    );
  });

  it('adds Alertmanagers to the config, and removes, reconfigures and restores the Compactor', async () => {
    const ns = await namespace('data-plane');
    const sets = new ResourceClient(env.api.client, StatefulSets);
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');

    await env.api.replicas.patch('demo', ns, { spec: { alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'] }] } });
    await eventually('the Alertmanager in the config', async () =>
      (await env.api.configMaps.get('demo-prometheus-config', ns))?.data?.['prometheus.yml']?.includes('alertmanager.monitoring.svc:9093'),
    );

    await env.api.replicas.patch('demo', ns, { spec: { compaction: { enabled: false } } });
    await eventually('the Compactor gone', async () => {
      const current = await env.api.replicas.get('demo', ns);
      return (
        (await sets.get('demo-compactor', ns)) === undefined &&
        current?.status?.conditions?.every((c) => c.type !== 'CompactorReady') &&
        current.status.local?.compactor === undefined
      );
    });
    await env.api.replicas.patch('demo', ns, { spec: { compaction: { enabled: true, downsampling: false, retention: { raw: '7d' } } } });
    const args = await eventually(
      'the Compactor back, reconfigured',
      async () => (await sets.get('demo-compactor', ns))?.spec?.template.spec?.containers[0]?.args,
    );
    expect(args).toEqual(expect.arrayContaining(['--retention.resolution-raw=7d', '--downsampling.disable']));
    await eventually(
      'CompactorReady',
      async () => (await env.api.replicas.get('demo', ns))?.status?.conditions?.find((c) => c.type === 'CompactorReady')?.status === 'True',
    );
  });

  it('applies every other child when the API server refuses one, says which, and converges once it can', async () => {
    const ns = await namespace('refused-child');
    const deployments = new ResourceClient(env.api.client, Deployments);
    // A Deployment of the Query's name whose selector (immutable) the operator cannot change.
    const foreign = { 'example.com/app': 'other' };
    await deployments.create({
      metadata: { name: 'demo-thanos-query', namespace: ns },
      spec: {
        replicas: 0,
        selector: { matchLabels: foreign },
        template: { metadata: { labels: foreign }, spec: { containers: [{ name: 'c', image: 'example.com/c:1' }] } },
      },
    });
    await env.api.replicas.create(replica('demo', ns, { baseDomain: 'prometheus.example.com', highlyAvailable: true }));
    const refused = await eventually('Reconciled=False naming the Deployment', async () => {
      const current = await env.api.replicas.get('demo', ns);
      const reconciled = current?.status?.conditions?.find((c) => c.type === 'Reconciled');
      return reconciled?.reason === 'ReconcileFailed' ? reconciled : undefined;
    });
    expect(refused.message).toMatch(/^Deployment\/demo-thanos-query: .*422/);
    // Children of kinds applied after Deployments are there all the same.
    expect(await new ResourceClient(env.api.client, Ingresses).get('demo', ns)).toBeDefined();
    const pdbs = new ResourceClient(env.api.client, resourceType('policy', 'v1beta1', 'poddisruptionbudgets', 'PodDisruptionBudget', true));
    expect(names((await pdbs.list({ namespace: ns })).items)).toEqual(['demo-prometheus', 'demo-thanos-query']);
    expect(names((await new ResourceClient(env.api.client, StatefulSets).list({ namespace: ns })).items)).toEqual([
      'demo-compactor',
      'demo-prometheus',
      'demo-thanos-store',
    ]);

    await deployments.delete('demo-thanos-query', ns);
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });
});
