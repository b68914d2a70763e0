import { createHash, timingSafeEqual } from 'node:crypto';

import pressureHandler from '@fastify/under-pressure';
import { silentLogger, type HttpServer, type KitMetrics, type Logger } from '@promfleet/kube/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { memoryLimits, type MemoryLimits } from './memory-limits.ts';
import type { EndpointReader, EndpointSnapshot } from './store.ts';
import { RETRY_AFTER_SECONDS, WATCH_DEFAULTS, Watchers, type WatchLimits } from './watch-stream.ts';

export interface EndpointsApiOptions {
  readonly store: EndpointReader;
  readonly metrics: KitMetrics;
  readonly logger?: Logger;
  /** The bearer token the API requires, read when asked (so a rotated file takes effect); absent: none. */
  readonly token?: () => string;
  /** Watch limits; each defaults to WATCH_DEFAULTS. */
  readonly watch?: Partial<WatchLimits>;
  /** Heap and RSS past which requests are refused with 503; default from V8 and the container. */
  readonly memory?: MemoryLimits;
}

const NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const record = {
  type: 'object',
  required: ['dnsName', 'recordType', 'targets', 'ttl'],
  properties: {
    dnsName: { type: 'string' },
    recordType: { type: 'string', enum: ['A', 'AAAA', 'CNAME'] },
    targets: { type: 'array', items: { type: 'string' } },
    ttl: { type: 'integer' },
    setIdentifier: { type: 'string' },
    routingPolicy: { type: 'string', enum: ['weighted', 'multivalue'] },
    weight: { type: 'integer' },
  },
} as const;

const endpointSet = {
  type: 'object',
  required: ['namespace', 'name', 'endpoints'],
  properties: { namespace: { type: 'string' }, name: { type: 'string' }, endpoints: { type: 'array', items: record } },
} as const;

const errorBody = { type: 'object', properties: { error: { type: 'string' } } } as const;
const notModifiedBody = { description: 'unchanged since the ETag given in If-None-Match', type: 'null' } as const;

/**
 * The read-only endpoints API DNS automation uses: everything, one PrometheusCluster, or a
 * Server-Sent Events stream of changes. Served from the store's local copy, never from
 * Kubernetes, so it answers even while the hub's API server or Redis is away.
 *
 * Every route lives in one encapsulated plugin whose hooks (the token, the pressure handler)
 * run for whatever the router matched, so no spelling of a path (percent-encoded, absolute-form)
 * reaches a handler unauthenticated; /metrics and the health checks stay outside it.
 */
export async function registerEndpointsApi(app: HttpServer, options: EndpointsApiOptions): Promise<void> {
  const { store } = options;
  const serialized = new WeakMap<EndpointSnapshot, string>();
  const memory = options.memory ?? memoryLimits();
  let underPressure = (): boolean => false;
  const watchers = new Watchers(store, { ...WATCH_DEFAULTS, ...options.watch }, options.metrics, options.logger ?? silentLogger, () => underPressure());

  await app.register(async (api) => {
    const { token } = options;
    if (token) {
      api.addHook('onRequest', async (request, reply) => {
        if (!tokenMatches(request.headers.authorization, token())) {
          await reply.code(401).header('www-authenticate', 'Bearer realm="promfleet"').send({ error: 'a valid bearer token is required' });
        }
      });
    }
    await api.register(pressureHandler, { maxEventLoopDelay: 1000, ...memory, retryAfter: 5, exposeStatusRoute: false });
    underPressure = () => api.isUnderPressure();
    // Nothing loaded yet (Redis away since start, the cache not synced): an empty list would read
    // as "no records" to DNS automation, so say "not yet" instead.
    api.addHook('onRequest', async (_request, reply) => {
      const waiting = store.waiting();
      if (waiting !== undefined) await reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error: waiting });
    });

    api.get(
      '/api/v1/endpoints',
      {
        schema: {
          response: {
            200: {
              type: 'object',
              required: ['revision', 'items'],
              properties: { revision: { type: 'string' }, items: { type: 'array', items: endpointSet } },
            },
            304: notModifiedBody,
            401: errorBody,
          },
        },
      },
      async (request, reply) => {
        const snapshot = store.snapshot();
        if (notModified(request, reply, snapshot.revision)) return reply.code(304).send();
        // Serialized once per snapshot, not once per request: DNS automation polls this.
        let body = serialized.get(snapshot);
        if (body === undefined) {
          body = JSON.stringify(snapshot);
          serialized.set(snapshot, body);
        }
        return reply.type('application/json; charset=utf-8').send(body);
      },
    );

    api.get<{ Params: { namespace: string; name: string } }>(
      '/api/v1/endpoints/:namespace/:name',
      {
        schema: {
          params: {
            type: 'object',
            properties: { namespace: { type: 'string', pattern: NAME, maxLength: 63 }, name: { type: 'string', pattern: NAME, maxLength: 63 } },
          },
          response: {
            200: { ...endpointSet, properties: { ...endpointSet.properties, revision: { type: 'string' } } },
            304: notModifiedBody,
            404: errorBody,
            401: errorBody,
          },
        },
      },
      async (request, reply) => {
        const { namespace, name } = request.params;
        const set = store.get(namespace, name);
        if (!set) return reply.code(404).send({ error: `no endpoints for ${namespace}/${name}` });
        const { revision } = store.snapshot();
        if (notModified(request, reply, revision)) return reply.code(304).send();
        return { ...set, revision };
      },
    );

    // Any id resumes: one this replica knows gets the changes since, any other (another replica's
    // content it never held, an id from before an upgrade) a snapshot — never a 400, which would
    // stop an EventSource from reconnecting at all.
    api.get(
      '/api/v1/endpoints/watch',
      { schema: { querystring: { type: 'object', properties: { lastEventId: { type: 'string' } } } } },
      async (request, reply) => {
        const header = request.headers['last-event-id'];
        const resumeFrom = (Array.isArray(header) ? header[0] : header) ?? (request.query as { lastEventId?: string }).lastEventId;
        return watchers.serve(request, reply, resumeFrom);
      },
    );
  });
}

/** The ETag is the content's revision: every replica holding the same records answers the same. */
function notModified(request: FastifyRequest, reply: FastifyReply, revision: string): boolean {
  const etag = `"${revision}"`;
  void reply.header('etag', etag).header('cache-control', 'no-cache');
  return request.headers['if-none-match']?.split(',').some((candidate) => candidate.trim() === etag || candidate.trim() === '*') ?? false;
}

/** Constant-time: the comparison takes as long whatever the prefix an attacker got right. */
function tokenMatches(header: string | undefined, expected: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}
