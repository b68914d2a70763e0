import Fastify, { type FastifyReply } from 'fastify';

import type { Logger } from './logger.ts';
import type { KitMetrics } from './metrics.ts';

/** A named check behind /healthz or /readyz: undefined when fine, else what is wrong. */
export interface HealthCheck {
  readonly name: string;
  check(): string | undefined | Promise<string | undefined>;
}

export interface HttpServerOptions {
  readonly metrics: KitMetrics;
  readonly logger: Logger;
  /** Checks that must pass for /readyz (caches synced, store reachable, ...). */
  readonly readiness?: readonly HealthCheck[];
  /** Checks that must pass for /healthz; failing means "restart me". */
  readonly liveness?: readonly HealthCheck[];
}

/**
 * The fastify instance every process serves: /metrics, /healthz, /readyz. Returned before it
 * listens so a controller can add routes (the hub mounts the endpoints API on it).
 */
export function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'http' }), disableRequestLogging: true });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
  app.get('/healthz', async (request, reply) => respond(reply, await runChecks(options.liveness ?? []), request.query));
  app.get('/readyz', async (request, reply) => respond(reply, await runChecks(options.readiness ?? []), request.query));
  return app;
}

async function runChecks(checks: readonly HealthCheck[]): Promise<{ name: string; problem: string | undefined }[]> {
  return Promise.all(
    checks.map(async (check) => {
      try {
        return { name: check.name, problem: await check.check() };
      } catch (error) {
        return { name: check.name, problem: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

function respond(reply: FastifyReply, results: { name: string; problem: string | undefined }[], query: unknown) {
  const failed = results.filter((result) => result.problem !== undefined);
  const verbose = typeof query === 'object' && query !== null && 'verbose' in query;
  const lines = verbose || failed.length > 0 ? results.map((r) => (r.problem === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.problem}`)) : [];
  const body = [...lines, failed.length === 0 ? 'ok' : `${String(failed.length)} check(s) failed`].join('\n');
  return reply.code(failed.length === 0 ? 200 : 503).type('text/plain').send(`${body}\n`);
}

export type HttpServer = ReturnType<typeof createHttpServer>;

/** `:8080` → all interfaces, `127.0.0.1:0` → loopback with a free port. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:]*)):(?<port>\d+)$/.exec(address);
  const port = Number(match?.groups?.port);
  if (!match || !Number.isInteger(port) || port > 65_535) throw new Error(`invalid listen address ${JSON.stringify(address)} (expected host:port or :port)`);
  const host = match.groups?.v6 ?? match.groups?.host ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
