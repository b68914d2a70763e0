import { CoreEvents, Namespaces, Pods, ResourceClient, StatefulSets } from '@promfleet/kube';
import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createInputs, eventually, OBJSTORE, PROMETHEUS_CONFIG, replica, startOperator, testClient, waitForPhase, type OperatorProcess, type TestClient } from './harness.ts';

let fleet: Fleet;
let operator: OperatorProcess;
let api: TestClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['member'], controllerManager: true });
  const cluster = fleet.cluster('member');
  await installCRDs(cluster);
  api = testClient(cluster);
  operator = await startOperator(cluster.kubeconfigFile);
});

afterAll(async () => {
  await operator.stop();
  await api.client.close();
  await fleet.stop();
});

async function namespace(name: string, inputs = true): Promise<string> {
  await new ResourceClient(api.client, Namespaces).create({ metadata: { name } });
  if (inputs) await createInputs(api, name);
  return name;
}

const podUIDs = async (ns: string) =>
  (await new ResourceClient(api.client, Pods).list({ namespace: ns, labelSelector: 'app.kubernetes.io/component=prometheus' })).items.map((p) => p.metadata?.uid).sort();

describe('references to the ConfigMap and the bucket Secret', () => {
  it('renders a config edit into the owned ConfigMap without restarting pods', async () => {
    const ns = await namespace('config-edit');
    await api.replicas.create(replica('demo', ns, { externalLabels: { environment: 'test' } }));
    await waitForPhase(api, ns, 'demo', 'Running');
    const before = await podUIDs(ns);
    const template = JSON.stringify((await new ResourceClient(api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.template);

    await api.configMaps.patch('prometheus-config', ns, { data: { 'prometheus.yml': `${PROMETHEUS_CONFIG}  - job_name: extra\n    static_configs:\n      - targets: [localhost:9100]\n` } });
    const rendered = await eventually('the rendered config', async () => {
      const text = (await api.configMaps.get('demo-prometheus-config', ns))?.data?.['prometheus.yml'];
      return text?.includes('job_name: extra') ? text : undefined;
    });
    expect(rendered).toContain('cluster: config-edit');
    expect(rendered).toContain('replica: $(POD_NAME)');
    expect(rendered).toContain('environment: test');
    expect(JSON.stringify((await new ResourceClient(api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.template)).toBe(template);
    expect(await podUIDs(ns)).toEqual(before);
  });

  it('rolls the Prometheus pods when the bucket Secret changes', async () => {
    const ns = await namespace('secret-edit');
    await api.replicas.create(replica('demo', ns));
    await waitForPhase(api, ns, 'demo', 'Running');
    const before = await podUIDs(ns);
    await api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': OBJSTORE.replace('metrics', 'metrics-v2') } });
    await eventually('new Prometheus pods', async () => {
      const after = await podUIDs(ns);
      return after.length === 1 && after[0] !== before[0];
    });
    await waitForPhase(api, ns, 'demo', 'Running');
  });

  it('fails with a precise message while the ConfigMap is missing, and recovers when it appears', async () => {
    const ns = await namespace('missing-config', false);
    await api.secrets.create({ metadata: { name: 's3-bucket', namespace: ns }, stringData: { 'objstore.yml': OBJSTORE } });
    await api.replicas.create(replica('demo', ns));
    const failed = await waitForPhase(api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'ConfigValid')).toMatchObject({ status: 'False', reason: 'ConfigMapNotFound', message: 'ConfigMap prometheus-config not found' });
    expect(await new ResourceClient(api.client, StatefulSets).get('demo-prometheus', ns)).toBeUndefined();
    const events = await eventually('a Warning Event', async () => {
      const list = (await new ResourceClient(api.client, CoreEvents).list({ namespace: ns })).items;
      return list.find((e) => e.reason === 'ConfigMapNotFound');
    });
    expect(events.type).toBe('Warning');

    await api.configMaps.create({ metadata: { name: 'prometheus-config', namespace: ns }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
    await waitForPhase(api, ns, 'demo', 'Running');
  });

  it('reports a malformed objstore.yml and keeps what runs untouched', async () => {
    const ns = await namespace('bad-objstore');
    await api.replicas.create(replica('demo', ns));
    await waitForPhase(api, ns, 'demo', 'Running');
    const generation = (await new ResourceClient(api.client, StatefulSets).get('demo-prometheus', ns))?.metadata?.generation;
    await api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': 'type: DROPBOX\nconfig: {}\n' } });
    const failed = await waitForPhase(api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'BucketSecretValid')).toMatchObject({ status: 'False', reason: 'ObjstoreInvalid' });
    expect(failed.status?.conditions?.find((c) => c.type === 'BucketSecretValid')?.message).toContain('type "DROPBOX" is not one of');
    expect((await new ResourceClient(api.client, StatefulSets).get('demo-prometheus', ns))?.metadata?.generation).toBe(generation);
    await api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': OBJSTORE } });
    await waitForPhase(api, ns, 'demo', 'Running');
  });

  it('rejects what the CRD schema cannot catch on this API server: retention shorter than three blocks', async () => {
    const ns = await namespace('spec-invalid');
    await api.replicas.create(replica('demo', ns, { metrics: { retention: '4h', blockDuration: '2h' } }));
    const failed = await waitForPhase(api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'SpecInvalid' });
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')?.message).toBe('spec.metrics.retention: 4h must be at least 3 x blockDuration (3 x 2h)');
  });
});
