import type { DNSRecord } from '@promfleet/api';
import { createHttpServer, KitMetrics, silentLogger } from '@promfleet/kube';
import { connectSSE } from '@promfleet/testkit';
import { afterEach, describe, expect, it } from 'vitest';

import { registerEndpointsApi } from './api.ts';
import { MemoryEndpointStore } from './memory-store.ts';

const a = (ip: string): DNSRecord[] => [{ dnsName: 'query.example.com', recordType: 'A', targets: [ip], ttl: 30 }];
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function api(options: { token?: string } = {}) {
  const store = new MemoryEndpointStore();
  const app = createHttpServer({ metrics: new KitMetrics(), logger: silentLogger });
  await registerEndpointsApi(app, { store, ...(options.token ? { token: () => options.token } : {}), heartbeatMs: 60_000 });
  servers.push(app);
  return { app, store };
}

async function listening(app: Awaited<ReturnType<typeof api>>['app']): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
}

describe('endpoints API', () => {
  it('lists every set with the revision, and answers 304 while the revision is unchanged', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    const first = await app.inject({ url: '/api/v1/endpoints' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ revision: 1, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }] });
    expect(first.headers.etag).toBe('"r1"');
    const unchanged = await app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': '"r1"' } });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    const changed = await app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': '"r1"' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe('"r2"');
    // The body is serialized once per revision: a change must show, not the cached revision 1.
    expect(changed.json()).toEqual({ revision: 2, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') }] });
    expect(changed.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('serves one PrometheusCluster, 404 when it has none, 400 on malformed names', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    expect((await app.inject({ url: '/api/v1/endpoints/platform/cloud' })).json()).toEqual({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10'), revision: 1 });
    const missing = await app.inject({ url: '/api/v1/endpoints/platform/other' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'no endpoints for platform/other' });
    const malformed = await app.inject({ url: '/api/v1/endpoints/Bad_NS/cloud' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<{ message: string }>().message).toContain('params/namespace');
  });

  it('requires the bearer token when one is set: 401 without and with a wrong one', async () => {
    const { app } = await api({ token: 's3cret' });
    expect((await app.inject({ url: '/api/v1/endpoints' })).statusCode).toBe(401);
    const wrong = await app.inject({ url: '/api/v1/endpoints', headers: { authorization: 'Bearer s3cret-not' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="promfleet"');
    expect((await app.inject({ url: '/api/v1/endpoints', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200);
    // Health and metrics stay open for the kubelet and Prometheus.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('streams a snapshot, then each change, over real HTTP', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    const url = await listening(app);
    const watch = await connectSSE(`${url}/api/v1/endpoints/watch`);
    try {
      expect(watch.status).toBe(200);
      const snapshot = await watch.next();
      expect(snapshot).toMatchObject({ event: 'snapshot', id: '1' });
      expect(JSON.parse(snapshot.data)).toEqual({ revision: 1, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }] });
      await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
      // The bound: a watcher hears of a change within a second.
      const change = await watch.next(1000);
      expect(change).toMatchObject({ event: 'change', id: '2' });
      expect(JSON.parse(change.data)).toEqual({ revision: 2, namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    } finally {
      watch.close();
    }
  });

  it('resumes from Last-Event-ID with only the missed changes, or a snapshot when they are too old', async () => {
    const { app, store } = await api();
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) await store.put({ namespace: 'ns', name: 'cloud', endpoints: a(ip) });
    const url = await listening(app);
    const resumed = await connectSSE(`${url}/api/v1/endpoints/watch`, { 'last-event-id': '1' });
    expect([await resumed.next(), await resumed.next()].map((e) => `${e.event}:${e.id ?? ''}`)).toEqual(['change:2', 'change:3']);
    resumed.close();
    const tooNew = await connectSSE(`${url}/api/v1/endpoints/watch`, { 'last-event-id': '99' });
    expect(await tooNew.next()).toMatchObject({ event: 'snapshot', id: '3' });
    tooNew.close();
    const invalid = await app.inject({ url: '/api/v1/endpoints/watch', headers: { 'last-event-id': 'yesterday' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ error: 'Last-Event-ID must be a revision (a non-negative integer), got "yesterday"' });
  });
});
