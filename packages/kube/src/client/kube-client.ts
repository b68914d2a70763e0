import { createSecureContext } from 'node:tls';

import type { Agent, Dispatcher, request } from 'undici';

import type { KitMetrics } from '../observability/metrics.ts';
import { KubeApiError, KubeConnectionError, KubeResponseTooLargeError, NotLeaderError } from './errors.ts';
import type { Status } from './objects.ts';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'apply' | 'delete' | 'deletecollection' | 'discovery';

const MUTATING: ReadonlySet<Verb> = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

export interface KubeRequest {
  readonly verb: Verb;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** The resource (plural) for metrics: `statefulsets`, `leases`; empty for discovery. */
  readonly resource?: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Overrides the client's request timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Writes that keep leadership itself (Lease renewals) pass even when the guard says no. */
  readonly bypassWriteGuard?: boolean;
}

export interface KubeClientOptions {
  /** Cluster identity in logs and metrics (`hub`, a member name). */
  readonly cluster: string;
  readonly metrics?: KitMetrics;
  /** Per-request deadline; also the bound for a response to start. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Consulted before every write; false makes the write fail with NotLeaderError, unsent. */
  readonly writeGuard?: () => boolean;
  readonly userAgent?: string;
  /**
   * Bounds on what the server may send, for servers the process does not trust (members):
   * a larger response body or watch event fails the request with a bounded error instead of
   * filling the heap. Absent: unbounded.
   */
  readonly maxResponseBytes?: number;
  readonly maxWatchEventBytes?: number;
  /**
   * Called each time the server shows it is there: a response read whole within the limits (any
   * code), every event of a streamed response (a watch's events and bookmarks) and a stream's
   * clean end — never for bytes that do not make an answer. A
   * caller that must know whether a server is alive learns it from the traffic it has anyway
   * instead of asking (the hub's members). Called on the hot path: keep it cheap; a throw is
   * ignored.
   */
  readonly onContact?: (contact: ServerContact) => void;
}

/** One sign of life from the server, for `onContact`. */
export interface ServerContact {
  readonly verb: Verb;
  readonly resource: string;
  /** The response's status code (a streamed response's for each of its chunks). */
  readonly code: number;
}

const NEWLINE = 0x0a;

/** A Status message from a server is cut to this length before it reaches errors, logs and conditions. */
const MAX_STATUS_MESSAGE = 1024;

/**
 * What the client reads from a kubeconfig: the kit's own (`@promfleet/kube/kubeconfig`) or
 * client-node's, whose methods of the same names it mirrors.
 */
export interface ClientConfig {
  getCurrentCluster(): { readonly server: string } | null;
  getCurrentUser(): { readonly token?: string | undefined; readonly authProvider?: unknown; readonly exec?: unknown } | null;
  /** Fills in TLS options and `headers.Authorization` for the current context. */
  applyToHTTPSOptions(options: TLSAndHeaders): Promise<void>;
}

interface TLSAndHeaders {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers?: Record<string, string>;
}

interface Transport {
  readonly dispatcher: Agent;
  readonly request: typeof request;
  readonly server: string;
  readonly authorization: () => Promise<string | undefined>;
}

/**
 * HTTP to one API server, over one HTTP/2 connection of its own kept alive, through undici directly
 * (client-node 2.0.1 opens a new connection for every request and watch). undici is loaded with
 * the first request: a program that only parses its flags never pays for it.
 */
export class KubeClient {
  readonly cluster: string;
  readonly server: string;
  readonly kubeConfig: ClientConfig;
  readonly #options: KubeClientOptions;
  #transport: Promise<Transport> | undefined;

  constructor(kubeConfig: ClientConfig, options: KubeClientOptions) {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error(`${options.cluster}: the kubeconfig has no current cluster with a server`);
    this.kubeConfig = kubeConfig;
    this.cluster = options.cluster;
    this.server = server.replace(/\/+$/, '');
    this.#options = options;
  }

  /** Sends a request and returns the parsed JSON body (undefined when empty). */
  async request<T>(req: KubeRequest): Promise<T> {
    const deadlineMs = req.timeoutMs ?? this.#requestTimeoutMs;
    // The deadline's timer ends with the request: AbortSignal.timeout's would stay armed for the
    // whole deadline and fire after every answer (a thousand at once, seconds after a roll call).
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new DOMException(`no answer within ${String(deadlineMs)} ms`, 'TimeoutError'));
    }, deadlineMs);
    // The caller's cancellation ends the request through the deadline's signal: one signal for
    // undici, where AbortSignal.any's composite costs twenty times a plain one and leaves weak
    // references for the collector (a roll call is a thousand requests in half a second).
    const { signal } = req;
    const cancel = (): void => {
      deadline.abort(signal?.reason);
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    try {
      const response = await this.#send(req, { deadline: deadline.signal, headersTimeoutMs: deadlineMs, bodyTimeoutMs: deadlineMs });
      const text = await this.#read(req, response);
      // Only an answer read whole (and within the limit): a server streaming a gigabyte is no sign of life.
      this.#contact(req, response.statusCode);
      this.#count(req, String(response.statusCode));
      const body = text === '' ? undefined : parseJSON(text);
      if (response.statusCode >= 400) throw new KubeApiError(this.cluster, response.statusCode, this.#status(body, text), describe(req));
      return body as T;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** The most a watch event (one line) from this server may be; undefined: unbounded. */
  get maxWatchEventBytes(): number | undefined {
    return this.#options.maxWatchEventBytes;
  }

  /**
   * Opens a streaming response (a watch). The response must start within the request timeout,
   * and `silenceMs` bounds the time between chunks: a hung server or a half-open connection
   * ends the stream with an error instead of hanging forever.
   */
  async stream(req: KubeRequest, silenceMs: number): Promise<AsyncIterable<Buffer>> {
    const response = await this.#send(req, { headersTimeoutMs: req.timeoutMs ?? this.#requestTimeoutMs, bodyTimeoutMs: silenceMs });
    this.#count(req, String(response.statusCode));
    if (response.statusCode >= 400) {
      const text = await this.#read(req, response);
      this.#contact(req, response.statusCode);
      throw new KubeApiError(this.cluster, response.statusCode, this.#status(parseJSON(text), text), describe(req));
    }
    const body = response.body as AsyncIterable<Buffer>;
    return this.#options.onContact ? this.#observed(req, response.statusCode, body) : body;
  }

  /**
   * The stream, reporting each chunk that ends an event (a newline) and a clean end as contact; an
   * error, an abort, or bytes that never make an event (a stream without a newline) are none.
   */
  async *#observed(req: KubeRequest, code: number, body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      if (chunk.includes(NEWLINE)) this.#contact(req, code);
      yield chunk;
    }
    this.#contact(req, code);
  }

  #contact(req: KubeRequest, code: number): void {
    try {
      this.#options.onContact?.({ verb: req.verb, resource: req.resource ?? '', code });
    } catch {
      // A sign of life is advisory: an observer's bug must not fail the request it observes.
    }
  }

  /** The body as text, refused past `maxResponseBytes` (announced or streamed) without reading the rest. */
  async #read(req: KubeRequest, response: Dispatcher.ResponseData): Promise<string> {
    const limit = this.#options.maxResponseBytes;
    if (limit === undefined) return response.body.text();
    const refuse = (): never => {
      response.body.destroy();
      this.#count(req, 'too-large');
      throw new KubeResponseTooLargeError(this.cluster, describe(req), limit, 'response body');
    };
    if (Number(response.headers['content-length'] ?? 0) > limit) refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) refuse();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * The Status an error answer carries, its message cut short and without this client's own
   * token: a hostile server could echo the token into a message the hub logs or reports.
   */
  #status(body: unknown, text: string): Status {
    const status = asStatus(body, text);
    const token = this.kubeConfig.getCurrentUser()?.token;
    let message = status.message?.slice(0, MAX_STATUS_MESSAGE);
    if (message !== undefined && token) message = message.replaceAll(token, '[redacted]');
    return { ...status, ...(message !== undefined ? { message } : {}) };
  }

  /** Closes idle connections and refuses new requests. */
  async close(): Promise<void> {
    if (this.#transport) await (await this.#transport).dispatcher.close();
  }

  get #requestTimeoutMs(): number {
    return this.#options.requestTimeoutMs ?? 30_000;
  }

  async #send(req: KubeRequest, timeouts: { deadline?: AbortSignal; headersTimeoutMs: number; bodyTimeoutMs: number }): Promise<Dispatcher.ResponseData> {
    if (MUTATING.has(req.verb) && !req.bypassWriteGuard && this.#options.writeGuard?.() === false) {
      throw new NotLeaderError(this.cluster, describe(req));
    }
    const transport = await (this.#transport ??= this.#connect());
    const url = new URL(transport.server + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.#options.userAgent ?? 'promfleet' };
    const authorization = await transport.authorization();
    if (authorization) headers.authorization = authorization;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    // A request has its deadline's signal (which the caller's cancellation aborts); a stream the caller's own.
    const signal = timeouts.deadline ?? req.signal;
    try {
      return await transport.request(url, {
        dispatcher: transport.dispatcher,
        method: req.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
        headersTimeout: timeouts.headersTimeoutMs,
        bodyTimeout: timeouts.bodyTimeoutMs,
      });
    } catch (error) {
      if (req.signal?.aborted) throw error;
      const timedOut = (timeouts.deadline?.aborted ?? false) || isUndiciTimeout(error);
      this.#count(req, timedOut ? 'timeout' : 'error');
      throw new KubeConnectionError(this.cluster, describe(req), error, timedOut);
    }
  }

  async #connect(): Promise<Transport> {
    const tls: TLSAndHeaders = {};
    await this.kubeConfig.applyToHTTPSOptions(tls);
    // Its default export: the module itself, whether Node loads undici or a split bundle's chunk holds it
    // (whose namespace has no named exports for a CommonJS module).
    const { Agent, request } = (await import('undici')).default;
    // One TLS context for every connection to this server: without it each connection builds its
    // own from the CA and client certificate, which a hub holding a thousand members pays in memory.
    const secureContext = createSecureContext({
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    });
    const dispatcher = new Agent({
      connect: {
        secureContext,
        ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        ...(tls.servername ? { servername: tls.servername } : {}),
      },
      // HTTP/2 where the server offers it (every API server does), as client-go: a watch and the
      // requests beside it share one connection, not one each.
      allowH2: true,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
    const user = this.kubeConfig.getCurrentUser();
    const staticToken = user?.token ? `Bearer ${user.token}` : undefined;
    const needsPlugin = !staticToken && Boolean(user?.authProvider ?? user?.exec);
    const authorization = async (): Promise<string | undefined> => {
      if (!needsPlugin) return staticToken;
      // Exec plugins and token files refresh credentials; the config caches them until expiry.
      const options: TLSAndHeaders = { headers: {} };
      await this.kubeConfig.applyToHTTPSOptions(options);
      return options.headers?.Authorization;
    };
    return { dispatcher, request, server: this.server, authorization };
  }

  #count(req: KubeRequest, code: string): void {
    this.#options.metrics?.kubeRequests.inc({ cluster: this.cluster, verb: req.verb, resource: req.resource ?? '', code });
  }
}

function describe(req: KubeRequest): string {
  return `${req.verb} ${req.path}`;
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asStatus(body: unknown, text: string): Status {
  if (typeof body === 'object' && body !== null && (body as Status).kind === 'Status') return body;
  return { message: text.slice(0, 500) };
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}
