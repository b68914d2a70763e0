import type { PrometheusReplica, PrometheusReplicaStatus } from '@promfleet/api';
import { PrometheusReplicas } from '@promfleet/api';
import { CoreEvents, Pods, ResourceClient, resourceType, StatefulSets } from '@promfleet/kube/client';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import { beforeAll, describe, expect, it } from 'vitest';

import { countRequests, eventually, replica, sumReconciles, useOperatorFleet, waitForPhase } from './harness.ts';

const env = useOperatorFleet();

const StorageClasses = resourceType<IStorageClass>('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false);
const Claims = resourceType<IPersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true);

beforeAll(async () => {
  const classes = new ResourceClient(env.api.client, StorageClasses);
  await classes.create({ metadata: { name: 'expandable' }, provisioner: 'example.com/disk', allowVolumeExpansion: true });
  await classes.create({ metadata: { name: 'fixed' }, provisioner: 'example.com/disk' });
});

/** Every status the replica is written with while `change` runs and converges, from a watch (nothing is missed). */
async function observe(ns: string, change: () => Promise<void>, converged: (replica: PrometheusReplica) => boolean): Promise<PrometheusReplicaStatus[]> {
  const replicas = new ResourceClient(env.api.client, PrometheusReplicas);
  const start = await replicas.get('demo', ns);
  const seen: PrometheusReplicaStatus[] = [];
  const abort = new AbortController();
  const watching = (async () => {
    const events = await replicas.watch({
      namespace: ns,
      fieldSelector: 'metadata.name=demo',
      resourceVersion: start?.metadata.resourceVersion ?? '0',
      timeoutSeconds: 300,
      silenceMs: 300_000,
      signal: abort.signal,
    });
    for await (const event of events) if (event.object.status) seen.push(event.object.status);
  })().catch(() => undefined);
  await change();
  await eventually(
    'converged',
    async () => {
      const current = await replicas.get('demo', ns);
      return current?.status?.observedGeneration === current?.metadata.generation && current !== undefined && converged(current);
    },
    90_000,
  );
  abort.abort();
  await watching;
  return seen;
}

const condition = (status: PrometheusReplicaStatus | undefined, type: string) => status?.conditions?.find((c) => c.type === type);
/** Waits for the (recreated) Prometheus StatefulSet to have this claim template (size, class). */
const claimTemplate = (ns: string, size: string, storageClass: string) =>
  eventually(`the Prometheus StatefulSet with a ${size} ${storageClass} claim template`, async () => {
    const set = await new ResourceClient(env.api.client, StatefulSets).get('demo-prometheus', ns);
    const templates = set?.spec?.volumeClaimTemplates?.map(
      (claim) => `${String(claim.spec?.resources?.requests?.storage)} ${String(claim.spec?.storageClassName)}`,
    );
    return JSON.stringify(templates) === JSON.stringify([`${size} ${storageClass}`]) ? set : undefined;
  });
const podUid = async (ns: string) => (await new ResourceClient(env.api.client, Pods).get('demo-prometheus-0', ns))?.metadata?.uid;
const claims = () => new ResourceClient(env.api.client, Claims);

/** What a volume controller would do: bind the claim, with the capacity it asked for. */
async function bind(ns: string, capacity: string): Promise<void> {
  const claim = await eventually('the claim', () => claims().get('data-demo-prometheus-0', ns));
  await claims().patch(
    claim.metadata?.name ?? '',
    ns,
    { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: capacity } } },
    { subresource: 'status' },
  );
}

/** Replica output and readiness across a change: addresses never vanish; Running is left at most `drops` times; no reconcile fails. */
function expectServing(statuses: readonly PrometheusReplicaStatus[], drops: number): void {
  expect(statuses.length).toBeGreaterThan(0);
  for (const status of statuses) {
    expect(status.output?.addresses?.length, JSON.stringify(status)).toBeGreaterThan(0);
    expect(condition(status, 'Reconciled')?.reason, JSON.stringify(condition(status, 'Reconciled'))).not.toBe('ReconcileFailed');
  }
  const left = statuses.filter((status, i) => i > 0 && status.phase !== 'Running' && statuses[i - 1]?.phase === 'Running').length;
  expect(left).toBeLessThanOrEqual(drops);
}

async function runningReplica(ns: string, spec: Parameters<typeof replica>[2] = {}): Promise<void> {
  await env.namespace(ns);
  await env.api.replicas.create(replica('demo', ns, { baseDomain: 'prometheus.example.com', ...spec }));
  await eventually('Running with addresses', async () => {
    const current = await waitForPhase(env.api, ns, 'demo', 'Running');
    return (current.status?.output?.addresses?.length ?? 0) > 0;
  });
}

describe('storage changes on a running replica', () => {
  it('adds storage: the StatefulSet is recreated with the claim template and the pod rolls onto its claim, with no failed reconcile', async () => {
    await runningReplica('add-storage');
    const before = await podUid('add-storage');
    const errors = await sumReconciles(env.operator, 'error');
    const statuses = await observe(
      'add-storage',
      () => env.api.replicas.patch('demo', 'add-storage', { spec: { storage: { size: '1Gi', storageClassName: 'expandable' } } }).then(() => undefined),
      (current) => current.status?.phase === 'Running' && condition(current.status, 'PersistentStorage')?.status === 'True',
    );
    expectServing(statuses, 1);
    await claimTemplate('add-storage', '1Gi', 'expandable');
    const pod = await eventually('the pod on its claim', async () => {
      const current = await new ResourceClient(env.api.client, Pods).get('demo-prometheus-0', 'add-storage');
      return current?.spec?.volumes?.some((volume) => volume.persistentVolumeClaim?.claimName === 'data-demo-prometheus-0') ? current : undefined;
    });
    expect(pod.metadata?.uid).not.toBe(before);
    expect(await sumReconciles(env.operator, 'error')).toBe(errors);
    const events = (await new ResourceClient(env.api.client, CoreEvents).list({ namespace: 'add-storage' })).items;
    expect(events.filter((event) => event.reason === 'StatefulSetRecreated').map((event) => [event.message, event.count])).toEqual([
      ['StatefulSet demo-prometheus is recreated to change volumeClaimTemplates, which cannot be updated in place; its pods keep running and are adopted', 1],
    ]);
    expect(events.find((event) => event.reason === 'PodRolledOntoClaims')?.message).toBe('pod demo-prometheus-0 is restarted to mount its claims (data)');
  });

  it('resizes: the claim grows in place and the pod keeps running, Ready all along', async () => {
    await runningReplica('resize', { storage: { size: '1Gi', storageClassName: 'expandable' } });
    await bind('resize', '1Gi');
    const before = await podUid('resize');
    const errors = await sumReconciles(env.operator, 'error');
    const statuses = await observe(
      'resize',
      () => env.api.replicas.patch('demo', 'resize', { spec: { storage: { size: '2Gi', storageClassName: 'expandable' } } }).then(() => undefined),
      (current) => condition(current.status, 'StorageUpToDate')?.reason === 'Resizing',
    );
    expectServing(statuses, 0);
    expect(statuses.every((status) => status.phase === 'Running')).toBe(true);
    await claimTemplate('resize', '2Gi', 'expandable');
    expect((await claims().get('data-demo-prometheus-0', 'resize'))?.spec?.resources?.requests?.storage).toBe('2Gi');
    // The volume grows: the claim reports its new capacity, and the replica says it matches.
    await bind('resize', '2Gi');
    await eventually('StorageUpToDate', async () => condition((await env.api.replicas.get('demo', 'resize'))?.status, 'StorageUpToDate')?.status === 'True');
    expect(await podUid('resize')).toBe(before);
    expect(await sumReconciles(env.operator, 'error')).toBe(errors);
  });

  it('changes the class: new claims get it, the existing one keeps its own and the replica says so, Ready all along', async () => {
    await runningReplica('change-class', { storage: { size: '1Gi', storageClassName: 'expandable' } });
    await bind('change-class', '1Gi');
    const errors = await sumReconciles(env.operator, 'error');
    const statuses = await observe(
      'change-class',
      () => env.api.replicas.patch('demo', 'change-class', { spec: { storage: { size: '1Gi', storageClassName: 'fixed' } } }).then(() => undefined),
      (current) => condition(current.status, 'StorageUpToDate')?.reason === 'StorageClassDiffers',
    );
    expectServing(statuses, 0);
    expect(statuses.every((status) => status.phase === 'Running')).toBe(true);
    await claimTemplate('change-class', '1Gi', 'fixed');
    expect(condition((await env.api.replicas.get('demo', 'change-class'))?.status, 'StorageUpToDate')?.message).toBe(
      'claim data-demo-prometheus-0 keeps StorageClass expandable (the template asks for fixed): a class cannot change in place; new claims get fixed',
    );
    expect(await sumReconciles(env.operator, 'error')).toBe(errors);
  });

  it('says so, once, when the class does not allow expansion, and keeps serving', async () => {
    await runningReplica('fixed', { storage: { size: '1Gi', storageClassName: 'fixed' } });
    await bind('fixed', '1Gi');
    const statuses = await observe(
      'fixed',
      () => env.api.replicas.patch('demo', 'fixed', { spec: { storage: { size: '2Gi', storageClassName: 'fixed' } } }).then(() => undefined),
      (current) => condition(current.status, 'StorageUpToDate')?.reason === 'ExpansionRefused',
    );
    expectServing(statuses, 0);
    const refused = condition((await env.api.replicas.get('demo', 'fixed'))?.status, 'StorageUpToDate');
    expect(refused?.message).toMatch(
      /^claim data-demo-prometheus-0 stays 1Gi, the API server refused to expand it to 2Gi: .*storageclass that provisions the pvc must support resize/,
    );
    const warning = await eventually('a Warning Event', async () =>
      (await new ResourceClient(env.api.client, CoreEvents).list({ namespace: 'fixed' })).items.find((event) => event.reason === 'ExpansionRefused'),
    );
    expect(warning.type).toBe('Warning');
    // Not asked again: more reconciles, no more claim patches.
    const patches = await countRequests(env.operator, 'patch', 'persistentvolumeclaims');
    const reconciles = async () => (await sumReconciles(env.operator, 'success')) + (await sumReconciles(env.operator, 'requeue'));
    const before = await reconciles();
    for (const touch of ['a', 'b', 'c']) await env.api.replicas.patch('demo', 'fixed', { metadata: { labels: { touched: touch } } });
    await eventually('three more reconciles', async () => (await reconciles()) >= before + 3);
    expect(await countRequests(env.operator, 'patch', 'persistentvolumeclaims')).toBe(patches);
    expect((await env.api.replicas.get('demo', 'fixed'))?.status?.phase).toBe('Running');
  });
});
