import { connect } from 'node:net';

import type { DNSRecord } from '@promfleet/api';
import { createHttpServer, KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { API_PATH_SPELLINGS, connectSSE, eventually, parseMetricsText, rawRequestStatus } from '@promfleet/testkit';
import { afterEach, describe, expect, it } from 'vitest';

import { registerEndpointsApi, type EndpointsApiOptions } from './api.ts';
import { MemoryEndpointStore } from './memory-store.ts';

const a = (ip: string): DNSRecord[] => [{ dnsName: 'query.example.com', recordType: 'A', targets: [ip], ttl: 30 }];
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function api(options: { token?: string; watch?: EndpointsApiOptions['watch']; memory?: EndpointsApiOptions['memory'] } = {}) {
  const store = new MemoryEndpointStore();
  const metrics = new KitMetrics();
  const app = createHttpServer({ metrics, logger: silentLogger });
  const { token } = options;
  await registerEndpointsApi(app, {
    store,
    metrics,
    ...(token ? { token: () => token } : {}),
    watch: { heartbeatMs: 60_000, ...options.watch },
    // No pressure limits unless a test sets them: the test process's own heap is not the point.
    memory: options.memory ?? { maxHeapUsedBytes: 0, maxRssBytes: 0 },
  });
  servers.push(app);
  return { app, store, metrics };
}

async function listening(app: Awaited<ReturnType<typeof api>>['app']): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${String(portOf(app))}`;
}

function portOf(app: Awaited<ReturnType<typeof api>>['app']): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function metric(metrics: KitMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const samples = parseMetricsText(await metrics.registry.metrics(), [name]);
  return samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** A watcher that sends its request and never reads. */
async function slowWatcher(port: number): Promise<{ close(): void }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET /api/v1/endpoints/watch HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  socket.pause();
  socket.on('error', () => undefined);
  return { close: () => socket.destroy() };
}

/** `count` A targets, different for every `seed`: about 16 bytes each. */
const many = (seed: number, count: number): DNSRecord[] => [
  { dnsName: 'query.example.com', recordType: 'A', targets: Array.from({ length: count }, (_, i) => `10.${String(seed % 250)}.${String(Math.floor(i / 250))}.${String(i % 250)}`), ttl: 30 },
];

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

  // Authentication is decided for the route the router matched, not by testing the raw URL.
  it.each(API_PATH_SPELLINGS)('refuses %s without the token (401 or 404, never served)', async (line) => {
    const { app, store } = await api({ token: 's3cret' });
    await store.put({ namespace: 'default', name: 'cloud-clusters', endpoints: a('192.0.2.10') });
    await listening(app);
    const port = portOf(app);
    expect([401, 404]).toContain(await rawRequestStatus({ port }, line));
    expect([401, 404]).toContain(await rawRequestStatus({ port }, line, { authorization: 'Bearer wrong' }));
    // With the token a spelling the router matches is served: the refusal above was the token's doing.
    expect([200, 400, 404]).toContain(await rawRequestStatus({ port }, line, { authorization: 'Bearer s3cret' }));
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

describe('endpoints API under load', () => {
  it('cuts a watcher that stops reading once its unsent bytes pass the buffer, and keeps serving the others', async () => {
    const { app, store, metrics } = await api({ watch: { bufferBytes: 64 * 1024 } });
    const url = await listening(app);
    const reader = await connectSSE(`${url}/api/v1/endpoints/watch`);
    await reader.next();
    const stuck = await slowWatcher(portOf(app));
    await eventually('two watchers', async () => (await metric(metrics, 'promfleet_endpoints_watchers')) === 2);
    try {
      // Kernel buffers take the first megabytes; the hub holds the rest until the cut.
      let revision = 0;
      for (let seed = 1; seed <= 2000 && (await metric(metrics, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })) === 0; seed++) {
        await store.put({ namespace: 'ns', name: 'big', endpoints: many(seed, 4000) });
        revision = seed;
        // The reader keeps up, and gets every change.
        const event = await reader.next(5000);
        expect(event).toMatchObject({ event: 'change', id: String(revision) });
      }
      expect(await metric(metrics, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })).toBe(1);
      await eventually('the stuck watcher gone', async () => (await metric(metrics, 'promfleet_endpoints_watchers')) === 1);
      await store.put({ namespace: 'ns', name: 'small', endpoints: a('192.0.2.1') });
      expect(await reader.next(5000)).toMatchObject({ event: 'change', id: String(revision + 1) });
    } finally {
      stuck.close();
      reader.close();
    }
  });

  it('answers 503 with Retry-After above the watcher limit, and serves again once one leaves', async () => {
    const { app, metrics } = await api({ watch: { maxWatchers: 2 } });
    const url = await listening(app);
    const first = await connectSSE(`${url}/api/v1/endpoints/watch`);
    const second = await connectSSE(`${url}/api/v1/endpoints/watch`);
    const refused = await fetch(`${url}/api/v1/endpoints/watch`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ error: 'too many watchers (2); retry in 5 s' });
    expect(await metric(metrics, 'promfleet_endpoints_watchers_dropped_total', { reason: 'limit' })).toBe(1);
    // Plain reads are not watchers.
    expect((await fetch(`${url}/api/v1/endpoints`)).status).toBe(200);
    first.close();
    await eventually('a free slot', async () => (await metric(metrics, 'promfleet_endpoints_watchers')) === 1);
    const third = await connectSSE(`${url}/api/v1/endpoints/watch`);
    expect(third.status).toBe(200);
    second.close();
    third.close();
  });

  it('answers 503 on the API past its heap limit, while /healthz and /metrics stay open', async () => {
    const { app } = await api({ memory: { maxHeapUsedBytes: 1, maxRssBytes: 0 } });
    const url = await listening(app);
    const refused = await eventually('the pressure handler refusing', async () => {
      const response = await fetch(`${url}/api/v1/endpoints`);
      return response.status === 503 ? response : undefined;
    });
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});
