import { CoreEvents, Pods, ResourceClient, StatefulSets } from '@promfleet/kube/client';
import { describe, expect, it } from 'vitest';

import { eventually, OBJSTORE, PROMETHEUS_CONFIG, replica, useOperatorFleet, waitForPhase } from './harness.ts';

const env = useOperatorFleet();

const namespace = (name: string, inputs = true) => env.namespace(name, inputs);

const podUIDs = async (ns: string) =>
  (await new ResourceClient(env.api.client, Pods).list({ namespace: ns, labelSelector: 'app.kubernetes.io/component=prometheus' })).items
    .map((p) => p.metadata?.uid)
    .sort();

describe('references to the ConfigMap and the bucket Secret', () => {
  it('renders a config edit into the owned ConfigMap without restarting pods', async () => {
    const ns = await namespace('config-edit');
    await env.api.replicas.create(replica('demo', ns, { externalLabels: { environment: 'test' } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const before = await podUIDs(ns);
    const template = JSON.stringify((await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.template);

    await env.api.configMaps.patch('prometheus-config', ns, {
      data: { 'prometheus.yml': `${PROMETHEUS_CONFIG}  - job_name: extra\n    static_configs:\n      - targets: [localhost:9100]\n` },
    });
    const rendered = await eventually('the rendered config', async () => {
      const text = (await env.api.configMaps.get('demo-prometheus-config', ns))?.data?.['prometheus.yml'];
      return text?.includes('job_name: extra') ? text : undefined;
    });
    expect(rendered).toContain('cluster: config-edit');
    expect(rendered).toContain('replica: ${POD_NAME}');
    expect(rendered).toContain('environment: test');
    expect(JSON.stringify((await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.spec?.template)).toBe(template);
    expect(await podUIDs(ns)).toEqual(before);
  });

  it('rolls the Prometheus pods when the bucket Secret changes', async () => {
    const ns = await namespace('secret-edit');
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const before = await podUIDs(ns);
    await env.api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': OBJSTORE.replace('metrics', 'metrics-v2') } });
    await eventually('new Prometheus pods', async () => {
      const after = await podUIDs(ns);
      return after.length === 1 && after[0] !== before[0];
    });
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });

  it('fails with a precise message while the ConfigMap is missing, and recovers when it appears', async () => {
    const ns = await namespace('missing-config', false);
    await env.api.secrets.create({ metadata: { name: 's3-bucket', namespace: ns }, stringData: { 'objstore.yml': OBJSTORE } });
    await env.api.replicas.create(replica('demo', ns));
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'ConfigValid')).toMatchObject({
      status: 'False',
      reason: 'ConfigMapNotFound',
      message: 'ConfigMap prometheus-config not found',
    });
    expect(await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns)).toBeUndefined();
    const events = await eventually('a Warning Event', async () => {
      const list = (await new ResourceClient(env.api.client, CoreEvents).list({ namespace: ns })).items;
      return list.find((e) => e.reason === 'ConfigMapNotFound');
    });
    expect(events.type).toBe('Warning');

    await env.api.configMaps.create({ metadata: { name: 'prometheus-config', namespace: ns }, data: { 'prometheus.yml': PROMETHEUS_CONFIG } });
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });

  it('reports a malformed objstore.yml and keeps what runs untouched', async () => {
    const ns = await namespace('bad-objstore');
    await env.api.replicas.create(replica('demo', ns));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const generation = (await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.metadata?.generation;
    await env.api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': 'type: DROPBOX\nconfig: {}\n' } });
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'BucketSecretValid')).toMatchObject({ status: 'False', reason: 'ObjstoreInvalid' });
    expect(failed.status?.conditions?.find((c) => c.type === 'BucketSecretValid')?.message).toContain('type "DROPBOX" is not one of');
    expect((await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns))?.metadata?.generation).toBe(generation);
    await env.api.secrets.patch('s3-bucket', ns, { stringData: { 'objstore.yml': OBJSTORE } });
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });

  it('rejects what the CRD schema cannot catch on this API server: retention shorter than three blocks', async () => {
    const ns = await namespace('spec-invalid');
    await env.api.replicas.create(replica('demo', ns, { metrics: { retention: '4h', blockDuration: '2h' } }));
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'SpecInvalid' });
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')?.message).toBe(
      'spec.metrics.retention: 4h must be at least 3 x blockDuration (3 x 2h)',
    );
  });

  it('collects rule ConfigMaps by label as they come, change and break, and hands Prometheus only checked rules', async () => {
    const ns = await namespace('rules');
    const rules = () => env.api.configMaps.get('demo-prometheus-rules', ns);
    await env.api.replicas.create(replica('demo', ns, { rules: { selector: { matchLabels: { 'example.com/rules': 'true' } } } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    expect((await rules())?.data ?? {}).toEqual({});
    const group = (expr: string) => `groups:\n  - name: team\n    rules:\n      - alert: Down\n        expr: ${expr}\n`;
    await env.api.configMaps.create({
      metadata: { name: 'team', namespace: ns, labels: { 'example.com/rules': 'true' } },
      data: { 'alerts.yml': group('up == 0') },
    });
    await eventually('the rule file collected', async () => (await rules())?.data?.['team-alerts.yaml'] === group('up == 0'));
    await env.api.configMaps.patch('team', ns, { data: { 'alerts.yml': group('up < 1') } });
    await eventually('the edit collected', async () => (await rules())?.data?.['team-alerts.yaml'] === group('up < 1'));

    await env.api.configMaps.patch('team', ns, { data: { 'alerts.yml': group('rate(up)') } });
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'RulesValid')).toMatchObject({
      status: 'False',
      reason: 'RulesInvalid',
      message: 'ConfigMap team key alerts.yml: groups[0].rules[0].expr: rate() needs a range vector such as metric[5m] as argument 1',
    });
    expect((await rules())?.data?.['team-alerts.yaml']).toBe(group('up < 1'));
    await env.api.configMaps.patch('team', ns, { metadata: { labels: { 'example.com/rules': null } } });
    const running = await waitForPhase(env.api, ns, 'demo', 'Running');
    expect(running.status?.conditions?.find((c) => c.type === 'RulesValid')?.message).toBe(
      "0 rule files, 0 groups, 0 rules (no ConfigMap selected yet) pass the operator's checks",
    );
    expect((await rules())?.data ?? {}).toEqual({});

    await env.api.replicas.patch('demo', ns, { spec: { rules: null } });
    await eventually('the rules ConfigMap and condition gone', async () => {
      const current = await env.api.replicas.get('demo', ns);
      return (await rules()) === undefined && current?.status?.conditions?.every((c) => c.type !== 'RulesValid');
    });
  });
});
