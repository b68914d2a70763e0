import { CoreV1Api, CustomObjectsApi, type V1ConfigMap, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installCRDs, startFleet, type Fleet, type TestCluster } from '../src/index.ts';
import { eventually, model } from './support.ts';

const GROUP = 'testkit.promfleet.io';
const widgets = model<V1CustomResourceDefinition>({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
  },
});

let fleet: Fleet;
let cluster: TestCluster;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['crds'], controllerManager: true });
  cluster = fleet.cluster('crds');
  // The controllers are running (the serviceaccount controller made default's account): their discovery is done.
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await eventually(
    'the controller-manager running',
    async () => (await core.listNamespacedServiceAccount({ namespace: 'default' })).items.length > 0 || undefined,
  );
});

afterAll(async () => {
  await fleet.stop();
});

describe('installCRDs', () => {
  // v1.20's garbage collector reads discovery every 30 s: without the controller-manager's restart
  // it does not watch the new kind, and learns that an owner went only by looking it up again.
  it('lets the garbage collector delete what an object of a new kind owned, without waiting for its next discovery', async () => {
    const pidBefore = cluster.controllerManager?.process?.pid;
    expect(await installCRDs(cluster, { crds: [structuredClone(widgets)] })).toEqual([`widgets.${GROUP}`]);
    expect(cluster.controllerManager?.process?.running).toBe(true);
    expect(cluster.controllerManager?.process?.pid).not.toBe(pidBefore);

    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const owner = (await custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'owner' } },
    })) as { metadata: { uid: string } };
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: model<V1ConfigMap>({
        metadata: { name: 'owned', ownerReferences: [{ apiVersion: `${GROUP}/v1`, kind: 'Widget', name: 'owner', uid: owner.metadata.uid }] },
        data: { a: 'b' },
      }),
    });
    // An owner of a kind it does not watch, the collector looks up with a doubling back-off (5 ms,
    // 10 ms, … 5 s, 10 s): after 12 s of the owner's life, its next look is 8 s away.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets', name: 'owner' });
    const left = async () => (await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=owned' })).items.length;
    await eventually('the owned ConfigMap collected', async () => ((await left()) === 0 ? true : undefined), 5_000);
  });

  it('leaves the controller-manager alone when every kind was there already', async () => {
    const pid = cluster.controllerManager?.process?.pid;
    await installCRDs(cluster, { crds: [structuredClone(widgets)] });
    expect(cluster.controllerManager?.process?.pid).toBe(pid);
  });
});
