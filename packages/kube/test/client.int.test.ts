import { getEventListeners } from 'node:events';

import { startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ConfigMaps,
  isNotFound,
  KubeApiError,
  KubeConnectionError,
  Namespaces,
  NotLeaderError,
  KubeClient,
  ResourceClient,
  serverVersion,
  servesResource,
} from '../src/client/index.ts';
import { establishedConnections, requestCount } from '../src/testing/index.ts';
import { kitClient, resources } from './helpers.ts';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['client'] });
});

afterAll(async () => {
  await fleet.stop();
});

describe('KubeClient on a real API server', () => {
  it('counts every request by cluster, verb and code', async () => {
    const { client, metrics } = kitClient(fleet.cluster('client'));
    const namespaces = resources(client, Namespaces);
    await namespaces.get('default');
    await namespaces.get('does-not-exist');
    await namespaces.list();
    expect(await requestCount(metrics, { verb: 'get' })).toBe(2);
    const { values } = await metrics.kubeRequests.get();
    // prom-client lists series in no promised order.
    const byCodeAndVerb = (a: { code?: unknown; verb?: unknown }, b: { code?: unknown; verb?: unknown }) =>
      `${String(a.code)} ${String(a.verb)}`.localeCompare(`${String(b.code)} ${String(b.verb)}`);
    expect(values.map((v) => v.labels).sort(byCodeAndVerb)).toEqual([
      { cluster: 'client', verb: 'get', resource: 'namespaces', code: '200' },
      { cluster: 'client', verb: 'list', resource: 'namespaces', code: '200' },
      { cluster: 'client', verb: 'get', resource: 'namespaces', code: '404' },
    ]);
    await client.close();
  });

  it('turns API errors into KubeApiError with the status reason', async () => {
    const { client } = kitClient(fleet.cluster('client'));
    const configMaps = resources(client, ConfigMaps);
    await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup', namespace: 'default' } });
    const error = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup', namespace: 'default' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).reason).toBe('AlreadyExists');
    expect(await configMaps.delete('dup', 'default')).toBe(true);
    expect(await configMaps.delete('dup', 'default')).toBe(false);
    expect(isNotFound(await configMaps.patch('dup', 'default', { data: {} }).catch((e: unknown) => e))).toBe(true);
    await client.close();
  });

  it('refuses writes, unsent, while the write guard says no', async () => {
    let leader = false;
    const { metrics } = kitClient(fleet.cluster('client'));
    const client = new KubeClient(fleet.cluster('client').kubeConfig, { cluster: 'client', metrics, writeGuard: () => leader });
    const configMaps = new ResourceClient(client, ConfigMaps);
    await expect(configMaps.create({ metadata: { name: 'guarded', namespace: 'default' } })).rejects.toBeInstanceOf(NotLeaderError);
    expect(await requestCount(metrics)).toBe(0);
    expect(await configMaps.get('guarded', 'default')).toBeUndefined();
    leader = true;
    await configMaps.create({ metadata: { name: 'guarded', namespace: 'default' } });
    expect(await requestCount(metrics, { verb: 'create' })).toBe(1);
    await client.close();
  });

  it('discovers versions and served resources', async () => {
    const { client } = kitClient(fleet.cluster('client'));
    expect(await serverVersion(client)).toMatch(/^v1\.20\./);
    expect(await servesResource(client, 'policy', 'v1beta1', 'poddisruptionbudgets')).toBe(true);
    expect(await servesResource(client, 'policy', 'v1', 'poddisruptionbudgets')).toBe(false);
    await client.close();
  });

  it('times out against a hung API server instead of waiting forever', async () => {
    const cluster = fleet.cluster('client');
    const { client, metrics } = kitClient(cluster, { requestTimeoutMs: 1500 });
    cluster.pause();
    try {
      const error = await resources(client, Namespaces)
        .get('default')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeConnectionError);
      expect((error as KubeConnectionError).timedOut).toBe(true);
      expect(await requestCount(metrics, { verb: 'get' })).toBe(1);
    } finally {
      cluster.resume();
    }
    expect((await resources(client, Namespaces).get('default'))?.metadata?.name).toBe('default');
    await client.close();
  });

  it("ends a request when the caller's signal aborts, and leaves no listener on it either way", async () => {
    const cluster = fleet.cluster('client');
    const { client, metrics } = kitClient(cluster, { requestTimeoutMs: 30_000 });
    const namespaces = resources(client, Namespaces);
    const answered = new AbortController();
    expect((await namespaces.get('default', undefined, { signal: answered.signal }))?.metadata?.name).toBe('default');
    expect(getEventListeners(answered.signal, 'abort')).toHaveLength(0);

    cluster.pause();
    try {
      const caller = new AbortController();
      const reason = new Error('the caller gave up');
      const pending = namespaces.get('default', undefined, { signal: caller.signal }).catch((e: unknown) => e);
      setTimeout(() => {
        caller.abort(reason);
      }, 200);
      // The caller's reason, not the 30 s deadline's timeout.
      expect(await pending).toBe(reason);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
      const { values } = await metrics.kubeRequests.get();
      expect(values.filter((value) => value.labels.code === 'timeout')).toEqual([]);

      const already = AbortSignal.abort(reason);
      expect(await namespaces.get('default', undefined, { signal: already }).catch((e: unknown) => e)).toBe(reason);
    } finally {
      cluster.resume();
    }
    await client.close();
  });

  it('carries a watch and the requests beside it over one HTTP/2 connection', async () => {
    const cluster = fleet.cluster('client');
    const { client } = kitClient(cluster);
    const configMaps = resources(client, ConfigMaps);
    const port = Number(new URL(cluster.server).port);
    // The fleet's own clients may hold connections to the server too.
    const others = await establishedConnections(port);
    const listed = await configMaps.list({ namespace: 'default' });
    const stop = new AbortController();
    await configMaps.watch({
      signal: stop.signal,
      namespace: 'default',
      resourceVersion: listed.metadata?.resourceVersion ?? '0',
      timeoutSeconds: 60,
      silenceMs: 120_000,
    });
    try {
      // The watch is open and streaming; the requests beside it must not need a connection of their own.
      await Promise.all([
        configMaps.list({ namespace: 'default' }),
        resources(client, Namespaces).get('default'),
        configMaps.list({ namespace: 'kube-system' }),
      ]);
      expect((await establishedConnections(port)) - others).toBe(1);
    } finally {
      stop.abort();
      await client.close();
    }
  });
});
