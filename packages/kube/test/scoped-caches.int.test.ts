import { serviceAccountAccess, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Informer, MultiNamespaceInformer, PolledObjects, namespacedInformer } from '../src/cache/index.ts';
import { ConfigMaps, KubeClient, Secrets, type KubeObject } from '../src/client/index.ts';
import { KitMetrics } from '../src/observability/index.ts';
import { eventually, kitClient, resources } from './helpers.ts';

// Caches for a controller whose rights are Roles in a few namespaces, and `get` on Secrets only.
let fleet: Fleet;
let admin: KubeClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['scoped'], kubelet: false, loadBalancer: false });
  admin = kitClient(fleet.cluster('scoped')).client;
});

afterAll(async () => {
  await admin.close();
  await fleet.stop();
});

const names = (objects: readonly KubeObject[]) => objects.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`).sort();

describe('MultiNamespaceInformer', () => {
  it('lists and watches each namespace it may, where one informer across namespaces is forbidden', async () => {
    const read = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }];
    const access = await serviceAccountAccess(fleet.cluster('scoped'), { namespace: 'controller', name: 'multi' }, [
      { namespace: 'team-a', rules: read },
      { namespace: 'team-b', rules: read },
    ]);
    await resources(admin, ConfigMaps).create({ metadata: { name: 'outside', namespace: 'controller' } });
    await resources(admin, ConfigMaps).create({ metadata: { name: 'first', namespace: 'team-a', labels: { app: 'x' } } });
    const metrics = new KitMetrics();
    const client = new KubeClient(access.kubeConfig, { cluster: 'scoped', metrics });
    const configMaps = resources(client, ConfigMaps);
    await expect(configMaps.list()).rejects.toThrow(/forbidden/);

    const informer = new MultiNamespaceInformer(configMaps, ['team-a', 'team-b'], { metrics });
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata?.name ?? ''}`),
      onUpdate: (_p, o) => seen.push(`update ${o.metadata?.name ?? ''}`),
      onDelete: (o) => seen.push(`delete ${o.metadata?.name ?? ''}`),
    });
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced).toBe(true);
    expect(names(informer.list())).toEqual(['team-a/first']);

    await resources(admin, ConfigMaps).create({ metadata: { name: 'second', namespace: 'team-b', labels: { app: 'x' } } });
    await resources(admin, ConfigMaps).patch('first', 'team-a', { data: { k: 'v' } });
    await resources(admin, ConfigMaps).create({ metadata: { name: 'ignored', namespace: 'controller', labels: { app: 'x' } } });
    await eventually('the add and the update', () => seen.length >= 3);
    await resources(admin, ConfigMaps).delete('first', 'team-a');
    await eventually('the delete', () => seen.includes('delete first'));
    expect(seen).toEqual(['add first', 'add second', 'update first', 'delete first']);
    expect(informer.get('team-b/second')?.metadata?.name).toBe('second');
    expect(informer.get('controller/outside')).toBeUndefined();
    expect(names(informer.byIndex('label', 'app=x'))).toEqual(['team-b/second']);
    // Two informers' objects add up in one series.
    expect((await metrics.informerObjects.get()).values.find((v) => v.labels.resource === 'configmaps')?.value).toBe(1);
    await informer.stop();
    expect((await metrics.informerObjects.get()).values.find((v) => v.labels.resource === 'configmaps')?.value).toBe(0);
    await client.close();
  });

  it('is a plain informer for one namespace or all of them', () => {
    const configMaps = resources(admin, ConfigMaps);
    expect(namespacedInformer(configMaps, [])).toBeInstanceOf(Informer);
    expect(namespacedInformer(configMaps, ['a', 'a'])).toBeInstanceOf(Informer);
    expect(namespacedInformer(configMaps, ['a', 'b'])).toBeInstanceOf(MultiNamespaceInformer);
  });
});

describe('PolledObjects', () => {
  it('reads the Secrets it is told about with get alone, and hears of changes, deletions and new ones by polling', async () => {
    const access = await serviceAccountAccess(fleet.cluster('scoped'), { namespace: 'controller', name: 'poller' }, [
      { namespace: 'vault', rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
    ]);
    await resources(admin, Secrets).create({ metadata: { name: 'bucket', namespace: 'vault' }, stringData: { key: 'one' } });
    const metrics = new KitMetrics();
    const client = new KubeClient(access.kubeConfig, { cluster: 'scoped', metrics });
    const secrets = resources(client, Secrets);
    await expect(secrets.list({ namespace: 'vault' })).rejects.toThrow(/forbidden/);

    const wanted = new Set(['vault/bucket', 'vault/later']);
    const polled = new PolledObjects(secrets, { keys: () => wanted, intervalMs: 200, transform: (s) => ({ ...s, data: {} }), metrics });
    const seen: string[] = [];
    polled.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata?.name ?? ''}`),
      onUpdate: (_p, o) => seen.push(`update ${o.metadata?.name ?? ''}`),
      onDelete: (o) => seen.push(`delete ${o.metadata?.name ?? ''}`),
    });
    expect(polled.get('vault/bucket')).toBeUndefined();
    const loaded = await polled.load('vault/bucket');
    expect(loaded?.metadata?.name).toBe('bucket');
    expect(loaded?.data).toEqual({});
    expect(await polled.load('vault/later')).toBeUndefined();
    polled.start();

    await resources(admin, Secrets).patch('bucket', 'vault', { stringData: { key: 'two' } });
    await eventually('the change', () => seen.includes('update bucket'));
    await resources(admin, Secrets).create({ metadata: { name: 'later', namespace: 'vault' }, stringData: { key: 'x' } });
    await eventually('the new Secret', () => seen.includes('add later'));
    await resources(admin, Secrets).delete('bucket', 'vault');
    await eventually('the deletion', () => seen.includes('delete bucket'));
    expect(polled.get('vault/bucket')).toBeUndefined();

    wanted.delete('vault/later');
    await eventually('a key no longer wanted forgotten', () => polled.get('vault/later') === undefined);
    await polled.stop();
    const verbs = (await metrics.kubeRequests.get()).values.filter((v) => v.labels.resource === 'secrets').map((v) => v.labels.verb);
    expect(new Set(verbs)).toEqual(new Set(['get', 'list']));
    // The one list is the forbidden probe above; the cache itself only ever got.
    expect(
      (await metrics.kubeRequests.get()).values.filter((v) => v.labels.resource === 'secrets' && v.labels.verb === 'list').map((v) => v.labels.code),
    ).toEqual(['403']);
    await client.close();
  });
});
