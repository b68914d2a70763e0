import { createServer } from 'node:https';

import Fastify, { LogController, type FastifyReply, type FastifyServerFactory } from 'fastify';

import type { Logger } from './logger.ts';
import type { KitMetrics } from './metrics.ts';
import { readTlsPair, watchTlsFiles, type TlsFiles } from './tls-files.ts';

/**
 * A named check behind /healthz or /readyz: undefined when fine, a message when failing (503),
 * or `{ degraded }` when the process still serves, from stale data (200, said in the body).
 */
export type CheckResult = string | { readonly degraded: string } | undefined;

export interface HealthCheck {
  readonly name: string;
  check(): CheckResult | Promise<CheckResult>;
}

export interface HttpServerOptions {
  readonly metrics: KitMetrics;
  readonly logger: Logger;
  /** Checks that must pass for /readyz (caches synced, store reachable, ...). */
  readonly readiness?: readonly HealthCheck[];
  /** Checks that must pass for /healthz; failing means "restart me". */
  readonly liveness?: readonly HealthCheck[];
  /** Serve HTTPS with this certificate and key, reloaded when the files change. */
  readonly tls?: (TlsFiles & { readonly reloadIntervalMs?: number }) | undefined;
}

/**
 * The fastify instance every process serves: /metrics, /healthz, /readyz. Returned before it
 * listens so a controller can add routes (the hub mounts the endpoints API on it). With `tls`
 * it serves HTTPS, and a renewed certificate is served to new connections without a restart;
 * unreadable or mismatched files at start are an error naming them.
 */
export function createHttpServer(options: HttpServerOptions) {
  const { tls } = options;
  const initial = tls ? readTlsPair(tls) : undefined;
  let https: ReturnType<typeof createServer> | undefined;
  const serverFactory: FastifyServerFactory | undefined = initial ? (handler) => (https = createServer(initial, handler)) : undefined;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    ...(serverFactory ? { serverFactory } : {}),
  });
  if (tls && initial && https) {
    const server = https;
    const stop = watchTlsFiles(
      tls,
      initial,
      (pair) => {
        server.setSecureContext(pair);
      },
      options.logger,
      tls.reloadIntervalMs,
    );
    app.addHook('onClose', (_instance, done) => {
      stop();
      done();
    });
  }
  // The route pattern, not the URL, keeps the label set small (`/api/v1/endpoints/:namespace/:name`).
  app.addHook('onResponse', async (request, reply) => {
    options.metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', code: String(reply.statusCode) });
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
  app.get('/healthz', async (request, reply) => respond(reply, await runChecks(options.liveness ?? []), request.query));
  app.get('/readyz', async (request, reply) => respond(reply, await runChecks(options.readiness ?? []), request.query));
  return app;
}

interface Outcome {
  readonly name: string;
  readonly result: CheckResult;
}

async function runChecks(checks: readonly HealthCheck[]): Promise<Outcome[]> {
  return Promise.all(
    checks.map(async (check) => {
      try {
        return { name: check.name, result: await check.check() };
      } catch (error) {
        return { name: check.name, result: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

function line({ name, result }: Outcome): string {
  if (result === undefined) return `[+]${name} ok`;
  return typeof result === 'string' ? `[-]${name} failed: ${result}` : `[!]${name} degraded: ${result.degraded}`;
}

function respond(reply: FastifyReply, outcomes: Outcome[], query: unknown) {
  const failed = outcomes.filter((o) => typeof o.result === 'string');
  const degraded = outcomes.filter((o) => typeof o.result === 'object');
  const verbose = typeof query === 'object' && query !== null && 'verbose' in query;
  const lines = verbose || failed.length + degraded.length > 0 ? outcomes.map(line) : [];
  const verdict = failed.length > 0 ? `${String(failed.length)} check(s) failed` : degraded.length > 0 ? 'degraded' : 'ok';
  return reply
    .code(failed.length === 0 ? 200 : 503)
    .type('text/plain')
    .send(`${[...lines, verdict].join('\n')}\n`);
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
