import { startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Informer } from '../src/cache/index.ts';
import { ConfigMaps, KubeClient, Namespaces, type KubeObject } from '../src/client/index.ts';
import { KitMetrics } from '../src/observability/index.ts';
import { eventually, kitClient, resources } from './helpers.ts';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['informer', 'other'] });
});

afterAll(async () => {
  await fleet.stop();
});

const configMap = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { test: 'informer' } },
  data,
});

async function relists(metrics: ReturnType<typeof kitClient>['metrics'], reason: string): Promise<number> {
  const { values } = await metrics.informerRelists.get();
  return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

describe('Informer on a real API server', () => {
  it('lists, then sees adds, updates and deletes through the watch', async () => {
    const { client, metrics } = kitClient(fleet.cluster('informer'));
    const configMaps = resources(client, ConfigMaps);
    await configMaps.create(configMap('before'));
    const informer = new Informer(configMaps, { namespace: 'default', labelSelector: 'test=informer', metrics });
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o: KubeObject) => seen.push(`add ${o.metadata?.name ?? ''}`),
      onUpdate: (_old: KubeObject, o: KubeObject) => seen.push(`update ${o.metadata?.name ?? ''}`),
      onDelete: (o: KubeObject) => seen.push(`delete ${o.metadata?.name ?? ''}`),
    });
    informer.start();
    await informer.waitForSync();
    expect(informer.get('default/before')).toBeDefined();
    expect(informer.get('default/before')?.metadata?.managedFields).toBeUndefined();

    await configMaps.create(configMap('after'));
    await configMaps.patch('after', 'default', { data: { k: 'v' } });
    await configMaps.delete('before', 'default');
    await eventually('all events', () => seen.length >= 4);
    expect(seen).toEqual(['add before', 'add after', 'update after', 'delete before']);
    expect(informer.byIndex('label', 'test=informer').map((o) => o.metadata?.name)).toEqual(['after']);
    await informer.stop();
    await configMaps.delete('after', 'default');
    await client.close();
  });

  it('survives an API server restart without missing a change made while it was disconnected, re-listing on 410', async () => {
    const cluster = fleet.cluster('informer');
    const { client, metrics } = kitClient(cluster);
    const configMaps = resources(client, ConfigMaps);
    const informer = new Informer(configMaps, { namespace: 'default', metrics });
    informer.start();
    await informer.waitForSync();

    await cluster.stop();
    // The clusters share one etcd, whose revision is global: a write elsewhere while this API
    // server is down makes the restarted watch cache start after the informer's resourceVersion,
    // so the informer's watch gets 410 Gone and it must re-list.
    const other = kitClient(fleet.cluster('other'));
    await resources(other.client, Namespaces).create({ metadata: { name: 'advance-the-revision' } });
    await other.client.close();
    await cluster.start();
    await configMaps.create(configMap('during-restart'));
    await eventually('the change made while disconnected', () => informer.get('default/during-restart') !== undefined, 60_000);
    expect(await relists(metrics, 'gone')).toBeGreaterThanOrEqual(1);
    await informer.stop();
    await client.close();
  });

  it('re-lists when a watch stays silent past the bound, and recovers from a hung server', async () => {
    const cluster = fleet.cluster('informer');
    const { client, metrics } = kitClient(cluster, { requestTimeoutMs: 2000 });
    const configMaps = resources(client, ConfigMaps);
    const informer = new Informer(configMaps, { namespace: 'kube-public', watchTimeoutSeconds: 3600, silenceMs: 1500, metrics });
    informer.start();
    await informer.waitForSync();
    // The watch is open: it delivers a change made now.
    await resources(client, ConfigMaps).create({ metadata: { name: 'before-hang', namespace: 'kube-public' } });
    await eventually('the watch delivering', () => informer.get('kube-public/before-hang') !== undefined, 30_000);
    cluster.pause();
    // Resumed once the informer has noticed the silence: the re-list it sent to the hung server timed out.
    try {
      await eventually(
        'a re-list timed out against the hung server',
        async () => (await metrics.kubeRequests.get()).values.some((v) => v.labels.verb === 'list' && v.labels.code === 'timeout' && v.value > 0),
        30_000,
      );
    } finally {
      cluster.resume();
    }
    await eventually('a re-list after the silent watch', async () => (await relists(metrics, 'silent')) >= 1, 30_000);
    const created = await resources(client, ConfigMaps).create({ metadata: { name: 'after-hang', namespace: 'kube-public' } });
    await eventually('the change after the hang', () => informer.get('kube-public/after-hang')?.metadata?.uid === created.metadata?.uid, 30_000);
    await informer.stop();
    await client.close();
  });

  it('reports every answer to onContact (the list, each watch event, a refusal with its code) and re-watches on demand without re-listing', async () => {
    const cluster = fleet.cluster('informer');
    const metrics = new KitMetrics();
    const contacts: string[] = [];
    const client = new KubeClient(cluster.kubeConfig, {
      cluster: cluster.name,
      metrics,
      onContact: ({ verb, resource, code }) => contacts.push(`${verb} ${resource} ${String(code)}`),
    });
    const configMaps = resources(client, ConfigMaps);
    const informer = new Informer(configMaps, { namespace: 'kube-node-lease', metrics });
    informer.start();
    await informer.waitForSync();
    expect(contacts[0]).toBe('list configmaps 200');
    // An event on the watch is contact (opening it is not: a server streaming bytes that never make an event is no sign of life).
    await resources(client, ConfigMaps).create({ metadata: { name: 'seen', namespace: 'kube-node-lease' } });
    await eventually('the event delivered', () => informer.get('kube-node-lease/seen') !== undefined);
    await eventually('the event counted as contact', () => contacts.includes('watch configmaps 200'));

    // A refusal is an answer with its code (the caller decides what it means).
    await expect(
      client.request({ verb: 'get', method: 'GET', path: '/api/v1/namespaces/kube-node-lease/configmaps/absent', resource: 'configmaps' }),
    ).rejects.toThrow();
    expect(contacts).toContain('get configmaps 404');

    const watches = async () => (await metrics.kubeRequests.get()).values.filter((v) => v.labels.verb === 'watch').reduce((sum, v) => sum + v.value, 0);
    const watchesBefore = await watches();
    informer.rewatch();
    await eventually('a new watch', async () => (await watches()) === watchesBefore + 1);
    await resources(client, ConfigMaps).create({ metadata: { name: 'after-rewatch', namespace: 'kube-node-lease' } });
    await eventually('the change after the re-watch', () => informer.get('kube-node-lease/after-rewatch') !== undefined);
    expect(await relists(metrics, 'initial')).toBe(1);
    expect(await relists(metrics, 'error')).toBe(0);
    expect((await metrics.informerWatchRestarts.get()).values.find((v) => v.labels.reason === 'rewatch')?.value).toBe(1);
    await informer.stop();
    await client.close();
  });
});
