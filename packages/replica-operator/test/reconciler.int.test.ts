import { randomUUID } from 'node:crypto';

import { DEFAULT_ALLOWED_IMAGE_PREFIXES, type PrometheusReplica } from '@promfleet/api';
import {
  ConfigMaps,
  CoreEvents,
  Deployments,
  KubeClient,
  Namespaces,
  objectKey,
  preferredResource,
  ResourceClient,
  Services,
  StatefulSets,
  type KubeObject,
} from '@promfleet/kube/client';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import type { SharedInformer } from '@promfleet/kube/cache';
import { EventRecorder, findCondition } from '@promfleet/kube/status';
import { requestCount, WRITE_VERBS } from '@promfleet/kube/testing';
import { createRegionInputs, eventually, installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PodDisruptionBudget } from '../src/builders/pdb.ts';
import { allCaches, createCaches, type OperatorCaches } from '../src/controller/caches.ts';
import { ReplicaReconciler, type ReconcilerOptions } from '../src/controller/reconciler.ts';
import { replica, testClient, type TestClient } from './harness.ts';

// The operator's reconciler in this process against one real API server (no controller-manager:
// the children are only objects here, no pod ever starts). Each test calls reconcile itself and
// reads what it wrote.
let fleet: Fleet;
let api: TestClient;
let client: KubeClient;
let metrics: KitMetrics;
let caches: OperatorCaches;
let reconciler: ReplicaReconciler;
let pdbType: ReconcilerOptions['pdbType'];

function newReconciler(from: OperatorCaches): ReplicaReconciler {
  return new ReplicaReconciler({
    client,
    caches: from,
    events: new EventRecorder(client, { component: 'promfleet-replica-operator', logger: silentLogger }),
    pdbType,
    clusterDomain: 'cluster.local',
    ingressClassName: undefined,
    allowedImagePrefixes: DEFAULT_ALLOWED_IMAGE_PREFIXES,
    operatorVersion: '1.2.3-test',
  });
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['member'], loadBalancer: false });
  const cluster = fleet.cluster('member');
  await installCRDs(cluster);
  api = testClient(cluster);
  metrics = new KitMetrics();
  client = new KubeClient(cluster.kubeConfig, { cluster: 'member', metrics });
  const found = await preferredResource<PodDisruptionBudget>(client, 'policy', ['v1', 'v1beta1'], 'poddisruptionbudgets', 'PodDisruptionBudget', true);
  if (!found) throw new Error('no PodDisruptionBudgets');
  pdbType = found;
  caches = createCaches(client, { namespaces: [], pdbType, secretPollIntervalMs: 500, metrics, logger: silentLogger });
  for (const cache of allCaches(caches)) cache.start();
  await Promise.all(allCaches(caches).map((cache) => cache.waitForSync()));
  reconciler = newReconciler(caches);
});

afterAll(async () => {
  await Promise.all(allCaches(caches).map((cache) => cache.stop()));
  await client.close();
  await api.client.close();
  await fleet.stop();
});

const reconcile = (key: string) => reconciler.reconcile({ key, reconcileID: randomUUID(), logger: silentLogger });
const condition = (object: PrometheusReplica | undefined, type: string) => findCondition(object?.status?.conditions, type);

/** Creates the replica and reconciles it until its status (read from the API server) passes `check`. */
async function reconcileUntil(namespace: string, name: string, what: string, check: (replica: PrometheusReplica) => boolean): Promise<PrometheusReplica> {
  return eventually(
    `${namespace}/${name}: ${what}`,
    async () => {
      if (!caches.replicas.get(`${namespace}/${name}`)) return undefined;
      await reconcile(`${namespace}/${name}`).catch(() => undefined);
      const current = await api.replicas.get(name, namespace);
      return current && check(current) ? current : undefined;
    },
    30_000,
    200,
  );
}

/** The children of a replica, by kind, as `Kind/name`. */
async function childrenOf(replicaObject: PrometheusReplica): Promise<string[]> {
  const namespace = replicaObject.metadata.namespace;
  const owned = (list: KubeObject[]) =>
    list.filter((child) => child.metadata?.ownerReferences?.some((owner) => owner.uid === replicaObject.metadata.uid && owner.controller === true));
  const lists = await Promise.all([
    new ResourceClient(client, StatefulSets).list({ namespace }).then(({ items }) => owned(items).map((o) => `StatefulSet/${o.metadata?.name ?? ''}`)),
    new ResourceClient(client, Deployments).list({ namespace }).then(({ items }) => owned(items).map((o) => `Deployment/${o.metadata?.name ?? ''}`)),
    new ResourceClient(client, Services).list({ namespace }).then(({ items }) => owned(items).map((o) => `Service/${o.metadata?.name ?? ''}`)),
    new ResourceClient(client, ConfigMaps).list({ namespace }).then(({ items }) => owned(items).map((o) => `ConfigMap/${o.metadata?.name ?? ''}`)),
  ]);
  return lists.flat().sort();
}

/** Plays the StatefulSet and Deployment controllers: every workload of `namespace` has rolled out its generation, all pods ready. */
async function rollOutWorkloads(namespace: string): Promise<void> {
  const settle = async <T extends KubeObject & { spec?: { replicas?: number } }>(resources: ResourceClient<T>, status: (replicas: number) => object) => {
    const { items } = await resources.list({ namespace });
    for (const item of items) {
      const rolledOut = { observedGeneration: item.metadata?.generation, ...status(item.spec?.replicas ?? 1) };
      await resources.patch(item.metadata?.name ?? '', namespace, { status: rolledOut }, { type: 'merge', subresource: 'status' });
    }
  };
  await settle(new ResourceClient(client, StatefulSets), (n) => ({
    replicas: n,
    readyReplicas: n,
    updatedReplicas: n,
    currentReplicas: n,
    currentRevision: 'r',
    updateRevision: 'r',
  }));
  await settle(new ResourceClient(client, Deployments), (n) => ({ replicas: n, readyReplicas: n, updatedReplicas: n, availableReplicas: n }));
}

/** The cache as it was when this was called: a watch that has not delivered the writes since. */
function lagging<T extends KubeObject>(cache: SharedInformer<T>): SharedInformer<T> {
  const objects = cache.list();
  return new Proxy(cache, {
    get(target, property) {
      if (property === 'get') return (key: string) => objects.find((object) => objectKey(object) === key);
      if (property === 'list') return () => [...objects];
      if (property === 'byIndex')
        return (index: string, value: string) => {
          if (index !== 'owner') throw new Error(`lagging cache: index ${index} not kept`);
          return objects.filter((object) => object.metadata?.ownerReferences?.some((owner) => owner.uid === value));
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function warnings(object: PrometheusReplica): Promise<string[]> {
  const { items } = await new ResourceClient(client, CoreEvents).list({ namespace: object.metadata.namespace });
  return items.filter((event) => event.involvedObject.uid === object.metadata.uid && event.type === 'Warning').map((event) => event.reason ?? '');
}

describe('ReplicaReconciler', () => {
  it('applies every child of a valid replica, owned by it, and reports what is not ready yet; unchanged, it writes nothing', async () => {
    await createRegionInputs(api.client, 'valid');
    await api.replicas.create(replica('main', 'valid'));
    const reconciled = await reconcileUntil('valid', 'main', 'Reconciled', (r) => condition(r, 'Reconciled')?.status === 'True');
    expect(condition(reconciled, 'Reconciled')).toMatchObject({ reason: 'ReconcileSucceeded', observedGeneration: 1 });
    expect(condition(reconciled, 'ConfigValid')).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(condition(reconciled, 'BucketSecretValid')).toMatchObject({ status: 'True', reason: 'Valid' });
    // No pods without a controller-manager: the tiers exist and are not ready.
    expect(condition(reconciled, 'Ready')).toMatchObject({ status: 'False', reason: 'TiersNotReady' });
    expect(reconciled.status?.phase).toBe('Creating');
    expect(await childrenOf(reconciled)).toEqual(
      expect.arrayContaining([
        'StatefulSet/main-prometheus',
        'StatefulSet/main-thanos-store',
        'Deployment/main-thanos-query',
        'Service/main-thanos-query',
        'ConfigMap/main-prometheus-config',
      ]),
    );

    // Level-triggered: once the caches hold what it applied, a reconcile writes nothing.
    await eventually('nothing left to write', async () => {
      const before = await requestCount(metrics, { verb: WRITE_VERBS });
      await reconcile('valid/main');
      return (await requestCount(metrics, { verb: WRITE_VERBS })) === before;
    });
  });

  it('changes nothing for an invalid spec, says which field, and warns', async () => {
    await createRegionInputs(api.client, 'invalid');
    // Retention below three blocks: the CRD accepts it, the schema's rule does not.
    await api.replicas.create(replica('main', 'invalid', { metrics: { retention: '2h', blockDuration: '2h' } }));
    const refused = await reconcileUntil('invalid', 'main', 'SpecInvalid', (r) => condition(r, 'Reconciled')?.reason === 'SpecInvalid');
    expect(condition(refused, 'Reconciled')?.message).toContain('spec.metrics.retention');
    expect(refused.status?.phase).toBe('Failed');
    expect(await childrenOf(refused)).toEqual([]);
    expect(await warnings(refused)).toContain('SpecInvalid');
  });

  it('waits for missing input without touching anything, and proceeds once it appears', async () => {
    await new ResourceClient(client, Namespaces).create({ metadata: { name: 'waiting' } });
    await api.replicas.create(replica('main', 'waiting'));
    const waiting = await reconcileUntil('waiting', 'main', 'WaitingForValidInput', (r) => condition(r, 'Reconciled')?.reason === 'WaitingForValidInput');
    expect(condition(waiting, 'ConfigValid')).toMatchObject({ status: 'False', reason: 'ConfigMapNotFound' });
    expect(condition(waiting, 'BucketSecretValid')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
    expect(await childrenOf(waiting)).toEqual([]);

    await createRegionInputs(api.client, 'waiting');
    const proceeded = await reconcileUntil('waiting', 'main', 'Reconciled', (r) => condition(r, 'Reconciled')?.status === 'True');
    expect(await childrenOf(proceeded)).toContain('StatefulSet/main-prometheus');
  });

  it('refuses an image outside the allow-list: nothing is applied', async () => {
    await createRegionInputs(api.client, 'foreign');
    await api.replicas.create(replica('main', 'foreign', { images: { prometheus: 'evil.example.com/prometheus:v2' } }));
    const refused = await reconcileUntil('foreign', 'main', 'ImageNotAllowed', (r) => condition(r, 'ConfigValid')?.reason === 'ImageNotAllowed');
    expect(condition(refused, 'ConfigValid')?.message).toContain('evil.example.com/prometheus:v2');
    expect(condition(refused, 'Reconciled')?.reason).toBe('WaitingForValidInput');
    expect(await childrenOf(refused)).toEqual([]);
  });

  it('leaves the children as they are while paused, and says so', async () => {
    await createRegionInputs(api.client, 'paused');
    await api.replicas.create(replica('main', 'paused', { paused: true }));
    const paused = await reconcileUntil('paused', 'main', 'Paused', (r) => r.status?.phase === 'Paused');
    expect(condition(paused, 'Reconciled')).toMatchObject({ status: 'False', reason: 'Paused' });
    expect(await childrenOf(paused)).toEqual([]);
  });

  it('reports a spec change Running only once the workloads have rolled it out, however late its caches of them are', async () => {
    await createRegionInputs(api.client, 'rolling');
    await api.replicas.create(replica('main', 'rolling'));
    await reconcileUntil('rolling', 'main', 'children made', (r) => r.status?.observedGeneration === r.metadata.generation && r.status?.phase === 'Creating');
    await rollOutWorkloads('rolling');
    const before = await reconcileUntil('rolling', 'main', 'Running', (r) => r.status?.phase === 'Running');
    const generation = (before.metadata.generation ?? 0) + 1;

    // The StatefulSet and Deployment caches stop where they are: settled at the old spec.
    const behind = newReconciler({ ...caches, statefulSets: lagging(caches.statefulSets), deployments: lagging(caches.deployments) });
    await api.replicas.patch('main', 'rolling', { spec: { metrics: { retention: '48h' } } }, { type: 'merge' });
    await eventually('the replica cache has the change', () => Promise.resolve(caches.replicas.get('rolling/main')?.metadata.generation === generation));
    await behind.reconcile({ key: 'rolling/main', reconcileID: randomUUID(), logger: silentLogger });
    const changed = await api.replicas.get('main', 'rolling');
    expect(changed?.status?.observedGeneration).toBe(generation);
    expect(changed?.status?.phase).toBe('Degraded');
    // The pods are still ready, but the StatefulSet has not rolled out the change.
    expect(condition(changed, 'Ready')).toMatchObject({ status: 'False', reason: 'TiersNotReady' });
    expect(condition(changed, 'Ready')?.message).toContain('prometheus 1/1 ready');

    // Rolled out: Running at the new generation.
    await rollOutWorkloads('rolling');
    const after = await reconcileUntil(
      'rolling',
      'main',
      'Running at the change',
      (r) => r.status?.phase === 'Running' && r.status.observedGeneration === generation,
    );
    expect(condition(after, 'Ready')?.status).toBe('True');
  });
});
