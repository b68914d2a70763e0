import { describe, expect, it } from 'vitest';

import { createHttpServer, parseListenAddress } from './http-server.ts';
import { silentLogger } from './logger.ts';
import { KitMetrics } from './metrics.ts';

describe('health and metrics server', () => {
  it('serves metrics in the Prometheus text format', async () => {
    const metrics = new KitMetrics();
    metrics.kubeRequests.inc({ cluster: 'hub', verb: 'get', resource: 'namespaces', code: '200' });
    const app = createHttpServer({ metrics, logger: silentLogger });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('promfleet_kube_requests_total{cluster="hub",verb="get",resource="namespaces",code="200"} 1');
  });

  it('counts the requests it answers by route pattern and status code', async () => {
    const metrics = new KitMetrics();
    const app = createHttpServer({ metrics, logger: silentLogger });
    app.get('/api/v1/things/:name', (_request, reply) => reply.send({ ok: true }));
    await app.inject({ url: '/api/v1/things/a' });
    await app.inject({ url: '/api/v1/things/b' });
    await app.inject({ url: '/nowhere' });
    const { values } = await metrics.httpRequests.get();
    expect(values.map((v) => [v.labels.route, v.labels.code, v.value]).sort()).toEqual([
      ['/api/v1/things/:name', '200', 2],
      ['unmatched', '404', 1],
    ]);
  });

  it('is ready only when every readiness check passes, and says which failed', async () => {
    let synced = false;
    const app = createHttpServer({
      metrics: new KitMetrics(),
      logger: silentLogger,
      readiness: [{ name: 'informers-synced', check: () => (synced ? undefined : 'waiting for hub/memberclusters') }],
    });
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain('[-]informers-synced failed: waiting for hub/memberclusters');
    synced = true;
    const after = await app.inject({ method: 'GET', url: '/readyz?verbose' });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('[+]informers-synced ok');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('stays ready but says degraded when a check serves stale data', async () => {
    const app = createHttpServer({
      metrics: new KitMetrics(),
      logger: silentLogger,
      readiness: [{ name: 'endpoint-store', check: () => ({ degraded: 'Redis unreachable' }) }],
    });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('[!]endpoint-store degraded: Redis unreachable\ndegraded\n');
  });

  it('turns a throwing check into a failure, not a crash', async () => {
    const app = createHttpServer({
      metrics: new KitMetrics(),
      logger: silentLogger,
      liveness: [
        {
          name: 'boom',
          check: () => {
            throw new Error('kaput');
          },
        },
      ],
    });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('boom failed: kaput');
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it('rejects what is not host:port', () => {
    expect(() => parseListenAddress('8080')).toThrow('invalid listen address "8080"');
  });
});
