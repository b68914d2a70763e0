import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge } from 'prom-client';

import type { EndpointChange, EndpointReader, EndpointSnapshot, StoreEvent } from './store.ts';
import { changeJSON, projectSnapshot, type View } from './views.ts';

export interface WatchLimits {
  /** A watcher with more unsent bytes than this when the next event comes is cut. */
  readonly bufferBytes: number;
  /** Watchers served at once; more get 503 with Retry-After. */
  readonly maxWatchers: number;
  readonly heartbeatMs: number;
}

export const WATCH_DEFAULTS = { bufferBytes: 1024 * 1024, maxWatchers: 1000, heartbeatMs: 15_000 } as const;

/** Seconds a refused request is told to wait. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * While the process is under pressure (heap, RSS or event loop past the API's limits) a watcher
 * this far behind is cut already: the per-watcher buffers must not add up past the container's
 * memory limit, whatever --api-max-watchers × --api-watch-buffer allows.
 */
export const PRESSED_BUFFER_BYTES = 64 * 1024;

/**
 * The Server-Sent Events watchers of the endpoints API. Every change is written to every
 * watcher, so a watcher that stops reading would make the hub hold everything written to it:
 * before each event the bytes it has not yet taken are checked, and past the buffer limit (a much
 * smaller one while the process is under pressure) the watcher is cut. It reconnects with
 * Last-Event-ID (and misses nothing) or gets a snapshot.
 */
export class Watchers {
  readonly #store: EndpointReader;
  readonly #limits: WatchLimits;
  readonly #logger: Logger;
  readonly #open: Gauge;
  readonly #cut: Counter<'reason'>;
  readonly #underPressure: () => boolean;
  /** Each event encoded once per view, whatever the number of watchers it goes to. */
  readonly #encoded: Record<View, WeakMap<EndpointSnapshot | EndpointChange, Buffer>> = { endpoints: new WeakMap(), stores: new WeakMap() };
  #count = 0;

  constructor(store: EndpointReader, limits: WatchLimits, metrics: KitMetrics, logger: Logger, underPressure: () => boolean) {
    this.#store = store;
    this.#limits = limits;
    this.#underPressure = underPressure;
    this.#logger = logger.child({ component: 'endpoints-watch' });
    const registers = [metrics.registry];
    this.#open = new Gauge({ name: 'promfleet_endpoints_watchers', help: 'Server-Sent Events watchers of the endpoints API connected now.', registers });
    this.#cut = new Counter({
      name: 'promfleet_endpoints_watchers_dropped_total',
      help: 'Watchers of the endpoints API cut (slow: more unsent bytes than --api-watch-buffer; pressure: behind while the process is under memory or event-loop pressure) or refused (limit: --api-max-watchers reached).',
      labelNames: ['reason'],
      registers,
    });
  }

  /** Answers a watch request: 503 when full, else the stream of `view` from `resumeFrom` (or a snapshot). */
  serve(request: FastifyRequest, reply: FastifyReply, resumeFrom: string | undefined, view: View = 'endpoints'): FastifyReply {
    if (this.#count >= this.#limits.maxWatchers) {
      this.#cut.inc({ reason: 'limit' });
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ error: `too many watchers (${String(this.#limits.maxWatchers)}); retry in ${String(RETRY_AFTER_SECONDS)} s` });
    }
    this.#stream(request, reply, resumeFrom, view);
    return reply;
  }

  #stream(request: FastifyRequest, reply: FastifyReply, resumeFrom: string | undefined, view: View): void {
    reply.hijack();
    const out = reply.raw;
    this.#count++;
    this.#open.set(this.#count);
    let open = true;
    const write = (text: string | Buffer): void => {
      if (!open) return;
      const unsent = out.writableLength;
      const pressed = unsent > PRESSED_BUFFER_BYTES && this.#underPressure();
      if (unsent > this.#limits.bufferBytes || pressed) {
        open = false;
        const reason = pressed && unsent <= this.#limits.bufferBytes ? 'pressure' : 'slow';
        this.#cut.inc({ reason });
        this.#logger.warn({ remote: request.ip, unsentBytes: unsent, reason }, 'cut a watcher that is not keeping up; it may reconnect with Last-Event-ID');
        out.destroy();
        return;
      }
      out.write(text);
    };
    const send = (event: StoreEvent): void => {
      write(this.#encode(event, view));
    };
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    write('retry: 2000\n\n');
    const changes = resumeFrom === undefined ? undefined : this.#store.changesSince(resumeFrom);
    if (changes === undefined) send({ type: 'snapshot', snapshot: this.#store.snapshot() });
    else for (const change of changes) send({ type: 'change', change });
    // The catch-up above and this subscription run in one go (nothing here awaits), so no change
    // can fall between them.
    const unsubscribe = this.#store.subscribe(send);
    const heartbeat = setInterval(() => {
      write(': keep-alive\n\n');
    }, this.#limits.heartbeatMs);
    heartbeat.unref();
    out.on('close', () => {
      open = false;
      clearInterval(heartbeat);
      unsubscribe();
      this.#count--;
      this.#open.set(this.#count);
    });
  }

  #encode(event: StoreEvent, view: View): Buffer {
    const data = event.type === 'snapshot' ? event.snapshot : event.change;
    const cache = this.#encoded[view];
    let encoded = cache.get(data);
    if (encoded === undefined) {
      const json = event.type === 'snapshot' ? JSON.stringify(projectSnapshot(event.snapshot, view)) : changeJSON(event.change, view);
      encoded = Buffer.from(format(event.type, data.revision, json));
      cache.set(data, encoded);
    }
    return encoded;
  }
}

/** The event id is the content's revision after the event: what Last-Event-ID resumes from. */
function format(event: string, id: string, json: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
}
