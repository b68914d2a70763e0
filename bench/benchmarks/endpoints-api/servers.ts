import type { DNSRecord } from '@promfleet/api';
import { createHttpServer, KitMetrics, silentLogger, type HttpServer } from '@promfleet/kube/observability';

import { registerEndpointsApi, type EndpointSet, type EndpointStore } from '../../lib/hub-endpoints.ts';

export const ENDPOINTS_PATH = '/api/v1/endpoints';

/** Records as 100 PrometheusClusters publish them: query and grafana names, one A record each over four regions. */
export function endpointSets(count: number): EndpointSet[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `cluster-${String(i).padStart(3, '0')}`;
    const targets = [
      `192.0.2.${String(10 + (i % 200))}`,
      `198.51.100.${String(10 + (i % 200))}`,
      `203.0.113.${String(10 + (i % 200))}`,
      `192.0.2.${String(11 + (i % 200))}`,
    ];
    const records: DNSRecord[] = ['query', 'grafana'].map((prefix) => ({ dnsName: `${prefix}.${name}.example.com`, recordType: 'A', targets, ttl: 30 }));
    return { namespace: `team-${String(i % 10)}`, name, endpoints: records };
  });
}

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(app: HttpServer): Promise<Served> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server has no address');
  return { url: `http://127.0.0.1:${String(address.port)}`, close: () => app.close() };
}

/** The hub's endpoints API over a store, on the kit's HTTP server, as the hub serves it. */
export async function serveEndpointsApi(store: EndpointStore): Promise<Served> {
  const metrics = new KitMetrics();
  const app = createHttpServer({ metrics, logger: silentLogger });
  await registerEndpointsApi(app, { store, metrics });
  return listen(app);
}

/**
 * The baseline: the same kind of server (fastify with the kit's defaults) with one route that
 * sends the bytes the API sent, with its ETag and 304 — nothing computed per request.
 */
export async function serveBytes(body: string, etag: string): Promise<Served> {
  const app = createHttpServer({ metrics: new KitMetrics(), logger: silentLogger });
  app.get(ENDPOINTS_PATH, async (request, reply) => {
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
  return listen(app);
}
