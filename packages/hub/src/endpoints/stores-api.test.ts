import type { DNSRecord, StoreEndpoint } from '@promfleet/api';
import { createHttpServer, KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { connectSSE } from '@promfleet/testkit';
import { afterEach, describe, expect, it } from 'vitest';

import { registerEndpointsApi } from './api.ts';
import { MemoryEndpointStore } from './memory-store.ts';

const a = (ip: string): DNSRecord[] => [{ dnsName: 'query.example.com', recordType: 'A', targets: [ip], ttl: 30 }];
const stores = (...addresses: string[]): StoreEndpoint[] => addresses.map((address, i) => ({ member: `m${String(i)}`, address }));
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function api(token?: string) {
  const store = new MemoryEndpointStore();
  await store.replaceAll([]);
  const metrics = new KitMetrics();
  const app = createHttpServer({ metrics, logger: silentLogger });
  await registerEndpointsApi(app, {
    store,
    metrics,
    ...(token ? { token: () => token } : {}),
    watch: { heartbeatMs: 60_000 },
    memory: { maxHeapUsedBytes: 0, maxRssBytes: 0 },
  });
  servers.push(app);
  return { app, store };
}

describe('store endpoints API', () => {
  it('lists the clusters with a StoreAPI and their targets, with the ETag of the content, 304 while unchanged', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10'), stores: stores('192.0.2.20:10901', 'store-m1.example.com:443') });
    await store.put({ namespace: 'platform', name: 'records-only', endpoints: a('192.0.2.11') });
    const first = await app.inject({ url: '/api/v1/stores' });
    const { revision } = store.snapshot();
    expect(first.headers.etag).toBe(`"${revision}"`);
    expect(first.json()).toEqual({
      revision,
      items: [
        {
          namespace: 'platform',
          name: 'cloud',
          targets: [
            { member: 'm0', address: '192.0.2.20:10901' },
            { member: 'm1', address: 'store-m1.example.com:443' },
          ],
        },
      ],
    });
    expect((await app.inject({ url: '/api/v1/stores', headers: { 'if-none-match': `"${revision}"` } })).statusCode).toBe(304);
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10'), stores: stores('192.0.2.20:10901') });
    const changed = await app.inject({ url: '/api/v1/stores', headers: { 'if-none-match': `"${revision}"` } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<{ items: { targets: unknown[] }[] }>().items[0]?.targets).toHaveLength(1);
  });

  it('keeps the StoreAPI endpoints out of the records API', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10'), stores: stores('192.0.2.20:10901') });
    expect((await app.inject({ url: '/api/v1/endpoints' })).json()).toEqual({
      revision: store.snapshot().revision,
      items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }],
    });
    expect((await app.inject({ url: '/api/v1/endpoints/platform/cloud' })).json()).not.toHaveProperty('stores');
  });

  it('serves one PrometheusCluster, 404 for one without a StoreAPI, 400 on malformed names', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: [], stores: stores('192.0.2.20:10901') });
    await store.put({ namespace: 'platform', name: 'records-only', endpoints: a('192.0.2.11') });
    expect((await app.inject({ url: '/api/v1/stores/platform/cloud' })).json()).toEqual({
      namespace: 'platform',
      name: 'cloud',
      targets: [{ member: 'm0', address: '192.0.2.20:10901' }],
      revision: store.snapshot().revision,
    });
    const missing = await app.inject({ url: '/api/v1/stores/platform/records-only' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'no store endpoints for platform/records-only' });
    expect((await app.inject({ url: '/api/v1/stores/Bad_NS/cloud' })).statusCode).toBe(400);
  });

  it('requires the bearer token like the records', async () => {
    const { app } = await api('s3cret');
    for (const url of ['/api/v1/stores', '/api/v1/stores/platform/cloud', '/api/v1/stores/watch']) {
      expect((await app.inject({ url })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    }
    expect((await app.inject({ url: '/api/v1/stores', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200);
  });

  it('streams a snapshot of the store endpoints, then each change, over real HTTP', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: [], stores: stores('192.0.2.20:10901') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const watch = await connectSSE(`http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}/api/v1/stores/watch`);
    try {
      const snapshot = await watch.next();
      expect(JSON.parse(snapshot.data)).toEqual({
        revision: store.snapshot().revision,
        items: [{ namespace: 'platform', name: 'cloud', targets: [{ member: 'm0', address: '192.0.2.20:10901' }] }],
      });
      await store.put({ namespace: 'platform', name: 'cloud', endpoints: [], stores: [] });
      const change = await watch.next(5000);
      expect(change).toMatchObject({ event: 'change', id: store.snapshot().revision });
      expect(JSON.parse(change.data)).toEqual({ revision: store.snapshot().revision, namespace: 'platform', name: 'cloud', targets: [] });
      await store.remove('platform', 'cloud');
      expect(JSON.parse((await watch.next(5000)).data)).toMatchObject({ namespace: 'platform', name: 'cloud', targets: null });
    } finally {
      watch.close();
    }
  });
});
