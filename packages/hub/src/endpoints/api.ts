import { createHash, timingSafeEqual } from 'node:crypto';

import underPressure from '@fastify/under-pressure';
import type { HttpServer } from '@promfleet/kube';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { EndpointChange, EndpointReader, EndpointSnapshot, StoreEvent } from './store.ts';

export interface EndpointsApiOptions {
  readonly store: EndpointReader;
  /** The bearer token the API requires, read when asked (so a rotated file takes effect); undefined: none. */
  readonly token?: () => string | undefined;
  readonly heartbeatMs?: number;
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
 */
export async function registerEndpointsApi(app: HttpServer, options: EndpointsApiOptions): Promise<void> {
  const { store } = options;
  const serialized = new WeakMap<EndpointSnapshot, string>();
  await app.register(underPressure, { maxEventLoopDelay: 1000, retryAfter: 5, exposeStatusRoute: false });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const expected = options.token?.();
    if (expected === undefined) return;
    if (!tokenMatches(request.headers.authorization, expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer realm="promfleet"').send({ error: 'a valid bearer token is required' });
    }
  });

  app.get(
    '/api/v1/endpoints',
    { schema: { response: { 200: { type: 'object', required: ['revision', 'items'], properties: { revision: { type: 'integer' }, items: { type: 'array', items: endpointSet } } }, 304: notModifiedBody, 401: errorBody } } },
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

  app.get<{ Params: { namespace: string; name: string } }>(
    '/api/v1/endpoints/:namespace/:name',
    {
      schema: {
        params: { type: 'object', properties: { namespace: { type: 'string', pattern: NAME, maxLength: 63 }, name: { type: 'string', pattern: NAME, maxLength: 63 } } },
        response: { 200: { ...endpointSet, properties: { ...endpointSet.properties, revision: { type: 'integer' } } }, 304: notModifiedBody, 404: errorBody, 401: errorBody },
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

  app.get('/api/v1/endpoints/watch', { schema: { querystring: { type: 'object', properties: { lastEventId: { type: 'string' } } } } }, async (request, reply) => {
    const raw = request.headers['last-event-id'] ?? (request.query as { lastEventId?: string }).lastEventId;
    const resumeFrom = raw === undefined ? undefined : Number(raw);
    if (resumeFrom !== undefined && !(Number.isInteger(resumeFrom) && resumeFrom >= 0)) {
      return reply.code(400).send({ error: `Last-Event-ID must be a revision (a non-negative integer), got ${JSON.stringify(raw)}` });
    }
    stream(request, reply, store, resumeFrom, options.heartbeatMs ?? 15_000);
    return reply;
  });
}

function stream(request: FastifyRequest, reply: FastifyReply, store: EndpointReader, resumeFrom: number | undefined, heartbeatMs: number): void {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const send = (event: StoreEvent): void => {
    if (event.type === 'snapshot') out.write(format('snapshot', event.snapshot.revision, event.snapshot));
    else out.write(format('change', event.change.revision, event.change));
  };
  // Subscribe first so nothing falls between the catch-up and the live stream.
  const buffered: StoreEvent[] = [];
  let live = false;
  const unsubscribe = store.subscribe((event) => {
    if (live) send(event);
    else buffered.push(event);
  });
  out.write('retry: 2000\n\n');
  const changes = resumeFrom === undefined ? undefined : store.changesSince(resumeFrom);
  let sentUpTo: number;
  if (changes === undefined) {
    const snapshot: EndpointSnapshot = store.snapshot();
    send({ type: 'snapshot', snapshot });
    sentUpTo = snapshot.revision;
  } else {
    for (const change of changes) send({ type: 'change', change });
    sentUpTo = changes.at(-1)?.revision ?? resumeFrom ?? 0;
  }
  for (const event of buffered) {
    if (event.type === 'snapshot' || event.change.revision > sentUpTo) send(event);
  }
  live = true;
  const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

function format(event: string, id: number, data: EndpointSnapshot | EndpointChange): string {
  return `id: ${String(id)}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function notModified(request: FastifyRequest, reply: FastifyReply, revision: number): boolean {
  const etag = `"r${String(revision)}"`;
  void reply.header('etag', etag).header('cache-control', 'no-cache');
  return request.headers['if-none-match']?.split(',').some((candidate) => candidate.trim() === etag || candidate.trim() === '*') ?? false;
}

/** Constant-time: the comparison takes as long whatever the prefix an attacker got right. */
function tokenMatches(header: string | undefined, expected: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}
