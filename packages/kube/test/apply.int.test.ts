import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Applier } from '../src/apply/index.ts';
import { ConfigMaps, CoreEvents, resourceType, Services, type KubeObject } from '../src/client/index.ts';
import { addFinalizer, EVENT_SPAM_BURST, EVENT_SPAM_REFILL_MS, EventRecorder, hasFinalizer, removeFinalizer } from '../src/status/index.ts';
import { FakeClock, requestCount, WRITE_VERBS } from '../src/testing/index.ts';
import { kitClient, resources } from './helpers.ts';

const HASH_ANNOTATION = 'kit.test/applied-hash';
// A custom resource with a status subresource: the testkit installs promfleet's CRDs.
const Replicas = resourceType<KubeObject & { spec?: unknown; status?: { phase?: string; observedGeneration?: number; readyPods?: string } }>(
  'promfleet.io',
  'v1alpha1',
  'prometheusreplicas',
  'PrometheusReplica',
  true,
);

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['apply'] });
  await installCRDs(fleet.cluster('apply'));
});

afterAll(async () => {
  await fleet.stop();
});

const desiredConfigMap = (data: Record<string, string>, labels: Record<string, string> = { app: 'prometheus' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'applied', namespace: 'default', labels },
  data,
});

describe('Applier', () => {
  it('makes no request at all when the live object already matches', async () => {
    const { client, metrics } = kitClient(fleet.cluster('apply'));
    const configMaps = resources(client, ConfigMaps);
    const applier = new Applier('promfleet-test', { hashAnnotation: HASH_ANNOTATION });
    const first = await applier.apply(configMaps, desiredConfigMap({ a: '1' }), undefined);
    expect(first.changed).toBe(true);
    expect(first.object.metadata?.annotations?.[HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);

    const before = await requestCount(metrics);
    const second = await applier.apply(configMaps, desiredConfigMap({ a: '1' }), first.object);
    expect(second.changed).toBe(false);
    expect(await requestCount(metrics)).toBe(before);

    // A fresh Applier (a restarted process) reaches the same verdict from the object alone.
    const third = await new Applier('promfleet-test', { hashAnnotation: HASH_ANNOTATION }).apply(configMaps, desiredConfigMap({ a: '1' }), first.object);
    expect(third.changed).toBe(false);
    expect(await requestCount(metrics)).toBe(before);
    await client.close();
  });

  it('makes no request for a Service stating a zero value the API server leaves out', async () => {
    const { client, metrics } = kitClient(fleet.cluster('apply'));
    const services = resources(client, Services);
    const applier = new Applier('promfleet-test', { hashAnnotation: HASH_ANNOTATION });
    const headless = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'headless', namespace: 'default' },
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: false,
        selector: { app: 'x' },
        ports: [{ name: 'grpc', port: 10901, targetPort: 'grpc', protocol: 'TCP' as const }],
      },
    };
    const first = await applier.apply(services, headless, undefined);
    expect(first.object.spec?.publishNotReadyAddresses).toBeUndefined();
    const before = await requestCount(metrics);
    expect((await applier.apply(services, headless, first.object)).changed).toBe(false);
    expect(await requestCount(metrics)).toBe(before);
    await client.close();
  });

  it('restores a hand edit and removes fields it stopped setting', async () => {
    const { client } = kitClient(fleet.cluster('apply'));
    const configMaps = resources(client, ConfigMaps);
    const applier = new Applier('promfleet-test', { hashAnnotation: HASH_ANNOTATION });
    await applier.apply(configMaps, desiredConfigMap({ a: '1', b: '2' }, { app: 'prometheus', tier: 'x' }), undefined);
    const edited = await configMaps.patch('applied', 'default', { data: { a: 'hand-edited' } });

    const restored = await applier.apply(configMaps, desiredConfigMap({ a: '1', b: '2' }, { app: 'prometheus', tier: 'x' }), edited);
    expect(restored.changed).toBe(true);
    expect(restored.object.data).toEqual({ a: '1', b: '2' });

    // Dropping b and the tier label from the desired object removes them: the hash changed.
    const trimmed = await applier.apply(configMaps, desiredConfigMap({ a: '1' }), restored.object);
    expect(trimmed.object.data).toEqual({ a: '1' });
    expect(trimmed.object.metadata?.labels).toEqual({ app: 'prometheus' });
    await client.close();
  });

  it('writes status only when it differs', async () => {
    const { client, metrics } = kitClient(fleet.cluster('apply'));
    const replicas = resources(client, Replicas);
    const applier = new Applier('promfleet-test', { hashAnnotation: HASH_ANNOTATION });
    const created = await replicas.create({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusReplica',
      metadata: { name: 'status-test', namespace: 'default' },
      spec: { configMap: 'c', bucketSecret: 's' },
    });
    const status = { phase: 'Running' as const, observedGeneration: 1, readyPods: '5/5' };
    const written = await applier.applyStatus(replicas, created, status);
    expect(written.changed).toBe(true);
    expect(written.object.status).toEqual(status);
    const writes = await requestCount(metrics, { verb: WRITE_VERBS });
    expect((await applier.applyStatus(replicas, written.object, { ...status })).changed).toBe(false);
    expect(await requestCount(metrics, { verb: WRITE_VERBS })).toBe(writes);
    await client.close();
  });
});

describe('EventRecorder and finalizers', () => {
  it('aggregates a repeated event into one Event with a count', async () => {
    const { client } = kitClient(fleet.cluster('apply'));
    const configMaps = resources(client, ConfigMaps);
    const subject = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'event-subject', namespace: 'default' } });
    const recorder = new EventRecorder(client, { component: 'promfleet-test' });
    await recorder.record(subject, 'Warning', 'ConfigInvalid', 'prometheus.yml is not YAML');
    await recorder.record(subject, 'Warning', 'ConfigInvalid', 'prometheus.yml is not YAML');
    await recorder.record(subject, 'Normal', 'Reconciled', 'all good');
    const events = (await resources(client, CoreEvents).list({ namespace: 'default', fieldSelector: `involvedObject.name=event-subject` })).items;
    expect(events.map((e) => [e.reason, e.type, e.count, e.source?.component]).sort()).toEqual([
      ['ConfigInvalid', 'Warning', 2, 'promfleet-test'],
      ['Reconciled', 'Normal', 1, 'promfleet-test'],
    ]);
    await client.close();
  });

  it('writes 25 Events of a kind about an object, then one per five minutes, counting the dropped repeats', async () => {
    const { client } = kitClient(fleet.cluster('apply'));
    const subject = await resources(client, ConfigMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'event-spam', namespace: 'default' } });
    const clock = new FakeClock();
    const recorder = new EventRecorder(client, { component: 'promfleet-test', clock });
    const written = async () => (await resources(client, CoreEvents).list({ namespace: 'default', fieldSelector: 'involvedObject.name=event-spam' })).items;
    // A member flapping: the message changes every time, so each would be an Event of its own.
    for (let i = 0; i < 30; i++) await recorder.record(subject, 'Warning', 'MembersNotReady', `${String(i)} of 1000 members not ready`);
    expect((await written()).filter((e) => e.reason === 'MembersNotReady')).toHaveLength(EVENT_SPAM_BURST);
    // Another kind about the same object has a bucket of its own: a rare Warning is not silenced.
    await recorder.record(subject, 'Warning', 'FailingStatic', 'every member unreachable');
    expect((await written()).filter((e) => e.reason === 'FailingStatic')).toHaveLength(1);
    // A repeat while the bucket is empty is dropped but counted: the next repeat written carries it.
    await recorder.record(subject, 'Warning', 'MembersNotReady', '0 of 1000 members not ready');
    clock.advance(EVENT_SPAM_REFILL_MS);
    await recorder.record(subject, 'Warning', 'MembersNotReady', '0 of 1000 members not ready');
    await recorder.record(subject, 'Warning', 'MembersNotReady', '1 of 1000 members not ready');
    const events = (await written()).filter((e) => e.reason === 'MembersNotReady');
    expect(events).toHaveLength(EVENT_SPAM_BURST);
    expect(events.find((e) => e.message === '0 of 1000 members not ready')?.count).toBe(3);
    expect(events.find((e) => e.message === '1 of 1000 members not ready')?.count).toBe(1);
    await client.close();
  });

  it('adds and removes a finalizer without touching others', async () => {
    const { client } = kitClient(fleet.cluster('apply'));
    const configMaps = resources(client, ConfigMaps);
    const object = await configMaps.create({ metadata: { name: 'finalized', namespace: 'default', finalizers: ['example.com/other'] } });
    const added = await addFinalizer(configMaps, object, 'promfleet.io/test');
    expect(added.metadata?.finalizers).toEqual(['example.com/other', 'promfleet.io/test']);
    expect(hasFinalizer(added, 'promfleet.io/test')).toBe(true);
    const stale = await addFinalizer(configMaps, object, 'promfleet.io/stale').catch((e: unknown) => e);
    expect(String(stale)).toContain('409');
    const removed = await removeFinalizer(configMaps, added, 'promfleet.io/test');
    expect(removed.metadata?.finalizers).toEqual(['example.com/other']);
    await client.close();
  });
});
