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

async function api(options: { token?: string; watch?: EndpointsApiOptions['watch']; memory?: EndpointsApiOptions['memory']; loaded?: boolean } = {}) {
  const store = new MemoryEndpointStore();
  // What the hub does once its cache is synced; until then the store has nothing to serve.
  if (options.loaded !== false) await store.replaceAll([]);
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
  {
    dnsName: 'query.example.com',
    recordType: 'A',
    targets: Array.from({ length: count }, (_, i) => `10.${String(seed % 250)}.${String(Math.floor(i / 250))}.${String(i % 250)}`),
    ttl: 30,
  },
];

describe('endpoints API', () => {
  it('lists every set with the revision, and answers 304 while the revision is unchanged', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    const first = await app.inject({ url: '/api/v1/endpoints' });
    expect(first.statusCode).toBe(200);
    const { revision } = first.json<{ revision: string }>();
    expect(revision).toMatch(/^[0-9a-f]{32}$/);
    expect(first.json()).toEqual({ revision, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }] });
    expect(first.headers.etag).toBe(`"${revision}"`);
    const unchanged = await app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': `"${revision}"` } });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    const changed = await app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': `"${revision}"` } });
    expect(changed.statusCode).toBe(200);
    const next = changed.json<{ revision: string }>().revision;
    expect(next).not.toBe(revision);
    expect(changed.headers.etag).toBe(`"${next}"`);
    // The body is serialized once per revision: a change must show, not the cached first one.
    expect(changed.json()).toEqual({ revision: next, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') }] });
    expect(changed.headers['content-type']).toBe('application/json; charset=utf-8');
    // Back to the first records: the first revision again, so a client holding its ETag is right not to fetch.
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    expect((await app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': `"${revision}"` } })).statusCode).toBe(304);
  });

  it('answers the same ETag the same way on two replicas that hold the same records, however they came by them', async () => {
    const one = await api();
    const two = await api();
    const x = { namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') };
    const y = { namespace: 'team', name: 'edge', endpoints: a('198.51.100.10') };
    await one.store.replaceAll([x, y]);
    // The other replica's cache saw an older x, and y first: three changes to the first one's one.
    await two.store.put(y);
    await two.store.put({ ...x, endpoints: a('192.0.2.99') });
    await two.store.put(x);
    const [fromOne, fromTwo] = await Promise.all([one.app.inject({ url: '/api/v1/endpoints' }), two.app.inject({ url: '/api/v1/endpoints' })]);
    expect(fromOne.headers.etag).toBe(fromTwo.headers.etag);
    expect(fromOne.body).toBe(fromTwo.body);
    const etag = String(fromOne.headers.etag);
    for (const replica of [one, two]) {
      expect((await replica.app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      expect((await replica.app.inject({ url: '/api/v1/endpoints/team/edge', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    }
    // One replica moves on first: a client with the old ETag gets the new records there, and 304 where they have not arrived yet.
    await one.store.remove('team', 'edge');
    expect((await one.app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': etag } })).statusCode).toBe(200);
    expect((await two.app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    await two.store.remove('team', 'edge');
    const newer = String((await one.app.inject({ url: '/api/v1/endpoints' })).headers.etag);
    expect((await two.app.inject({ url: '/api/v1/endpoints', headers: { 'if-none-match': newer } })).statusCode).toBe(304);
  });

  it('answers 503 with Retry-After, and is not ready, until the store has its records', async () => {
    const { app, store } = await api({ loaded: false, token: 's3cret' });
    const auth = { authorization: 'Bearer s3cret' };
    for (const url of ['/api/v1/endpoints', '/api/v1/endpoints/platform/cloud', '/api/v1/endpoints/watch']) {
      const refused = await app.inject({ url, headers: auth });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json()).toEqual({ error: 'the endpoint records are not loaded yet (waiting for the PrometheusCluster cache)' });
    }
    // The token still comes first: nothing about the store is told to a caller without it.
    expect((await app.inject({ url: '/api/v1/endpoints' })).statusCode).toBe(401);
    await store.replaceAll([{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }]);
    expect((await app.inject({ url: '/api/v1/endpoints/platform/cloud', headers: auth })).statusCode).toBe(200);
  });

  it('serves one PrometheusCluster, 404 when it has none, 400 on malformed names', async () => {
    const { app, store } = await api();
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    expect((await app.inject({ url: '/api/v1/endpoints/platform/cloud' })).json()).toEqual({
      namespace: 'platform',
      name: 'cloud',
      endpoints: a('192.0.2.10'),
      revision: store.snapshot().revision,
    });
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
      const first = store.snapshot().revision;
      expect(snapshot).toMatchObject({ event: 'snapshot', id: first });
      expect(JSON.parse(snapshot.data)).toEqual({ revision: first, items: [{ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') }] });
      await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
      // The bound: a watcher hears of a change within a second.
      const change = await watch.next(1000);
      const second = store.snapshot().revision;
      expect(change).toMatchObject({ event: 'change', id: second });
      expect(JSON.parse(change.data)).toEqual({ revision: second, namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    } finally {
      watch.close();
    }
  });

  it('resumes from Last-Event-ID with only the missed changes, or a snapshot for an id it never held', async () => {
    const { app, store } = await api();
    const revisions: string[] = [];
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      await store.put({ namespace: 'ns', name: 'cloud', endpoints: a(ip) });
      revisions.push(store.snapshot().revision);
    }
    const [r1 = '', r2 = '', r3 = ''] = revisions;
    const url = await listening(app);
    const resumed = await connectSSE(`${url}/api/v1/endpoints/watch`, { 'last-event-id': r1 });
    expect([await resumed.next(), await resumed.next()].map((e) => `${e.event}:${e.id ?? ''}`)).toEqual([`change:${r2}`, `change:${r3}`]);
    resumed.close();
    // An id from elsewhere (another replica's content this one never held, a hub before content
    // revisions, garbage) is no reason to stop a client reconnecting: it gets a snapshot.
    for (const id of ['99', 'yesterday', '0123456789abcdef0123456789abcdef']) {
      const unknown = await connectSSE(`${url}/api/v1/endpoints/watch?lastEventId=${id}`);
      expect(await unknown.next()).toMatchObject({ event: 'snapshot', id: r3 });
      unknown.close();
    }
  });

  it('resumes a watcher on another replica with only the changes it missed, when that replica held the same records', async () => {
    const one = await api();
    const two = await api();
    const x = (ip: string) => ({ namespace: 'platform', name: 'cloud', endpoints: a(ip) });
    for (const replica of [one, two]) await replica.store.put(x('192.0.2.10'));
    const watch = await connectSSE(`${await listening(one.app)}/api/v1/endpoints/watch`);
    const seen = await watch.next();
    watch.close();
    // The watcher's replica goes away; the change happens meanwhile; it reconnects to the other.
    await two.store.put(x('192.0.2.11'));
    const resumed = await connectSSE(`${await listening(two.app)}/api/v1/endpoints/watch`, { 'last-event-id': seen.id ?? '' });
    const change = await resumed.next();
    expect(change).toMatchObject({ event: 'change', id: two.store.snapshot().revision });
    expect(JSON.parse(change.data)).toMatchObject({ endpoints: a('192.0.2.11') });
    resumed.close();
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
      for (let seed = 1; seed <= 2000 && (await metric(metrics, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })) === 0; seed++) {
        await store.put({ namespace: 'ns', name: 'big', endpoints: many(seed, 4000) });
        // The reader keeps up, and gets every change.
        const event = await reader.next(5000);
        expect(event).toMatchObject({ event: 'change', id: store.snapshot().revision });
      }
      expect(await metric(metrics, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })).toBe(1);
      await eventually('the stuck watcher gone', async () => (await metric(metrics, 'promfleet_endpoints_watchers')) === 1);
      await store.put({ namespace: 'ns', name: 'small', endpoints: a('192.0.2.1') });
      expect(await reader.next(5000)).toMatchObject({ event: 'change', id: store.snapshot().revision });
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
