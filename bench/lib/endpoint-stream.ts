import { setTimeout as sleep } from 'node:timers/promises';

import type { DNSRecord } from '@promfleet/api';
import { connectSSE, type SSEConnection } from '@promfleet/testkit';

interface EndpointSet {
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[] | null;
}

interface Waiter {
  readonly done: (sets: ReadonlyMap<string, readonly DNSRecord[]>) => boolean;
  readonly resolve: (at: number) => void;
}

/** How long (re)connecting may take: the API answers 503 while the hub is under pressure. */
const CONNECT_TIMEOUT_MS = 120_000;

/**
 * A DNS automation client of the endpoints API: follows `/api/v1/endpoints/watch` (snapshot,
 * then changes) and keeps the records by `namespace/name`, as a real client would: a refusal
 * (503 while the hub is under pressure) is retried, and a stream the hub cut is resumed with
 * Last-Event-ID. `until` resolves with the moment the event after which a condition holds was
 * received. `reconnects` counts the refusals and cuts on the way, which are part of the figures.
 */
export class EndpointStream {
  readonly #url: () => Promise<string>;
  readonly #sets = new Map<string, readonly DNSRecord[]>();
  readonly #waiters = new Set<Waiter>();
  #connection: SSEConnection;
  #lastEventId: string | undefined;
  #closed = false;
  #failure: Error | undefined;
  /** Connections refused (non-200) or cut, and made again. */
  reconnects = 0;

  private constructor(url: () => Promise<string>, connection: SSEConnection) {
    this.#url = url;
    this.#connection = connection;
  }

  /**
   * Connected once the first snapshot is in, so no condition is judged on an empty view. `url`
   * may be a function: the hub's address now, for a hub that restarts on another port.
   */
  static async connect(where: string | (() => Promise<string>)): Promise<EndpointStream> {
    const url = typeof where === 'string' ? () => Promise.resolve(where) : where;
    const counter = { refused: 0 };
    const stream = new EndpointStream(url, await connectRetrying(url, undefined, counter));
    stream.reconnects = counter.refused;
    stream.#receive(await stream.#connection.next(CONNECT_TIMEOUT_MS));
    void stream.#follow();
    return stream;
  }

  until(what: string, done: (sets: ReadonlyMap<string, readonly DNSRecord[]>) => boolean, timeoutMs: number): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (done(this.#sets)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what} on the endpoints stream`));
      }, timeoutMs);
      const waiter: Waiter = {
        done,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  close(): void {
    this.#closed = true;
    this.#connection.close();
  }

  async #follow(): Promise<void> {
    while (!this.#closed) {
      let event;
      try {
        event = await this.#connection.next(3_600_000);
      } catch (error) {
        // close() ends the stream while next() waits.
        if (this.#isClosed()) return;
        // Cut (a slow or pressed watcher) or ended: resume where it left off.
        this.#connection.close();
        try {
          const counter = { refused: 0 };
          this.#connection = await connectRetrying(this.#url, this.#lastEventId, counter);
          this.reconnects += 1 + counter.refused;
          continue;
        } catch {
          this.#failure = error instanceof Error ? error : new Error(String(error));
          return;
        }
      }
      this.#receive(event);
    }
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  #receive(event: { id: string | undefined; event: string; data: string; receivedAt: number }): void {
    if (event.id !== undefined) this.#lastEventId = event.id;
    if (event.event === 'snapshot') {
      this.#sets.clear();
      for (const set of (JSON.parse(event.data) as { items: EndpointSet[] }).items) this.#apply(set);
    } else if (event.event === 'change') {
      this.#apply(JSON.parse(event.data) as EndpointSet);
    }
    for (const waiter of this.#waiters) {
      if (!waiter.done(this.#sets)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(event.receivedAt);
    }
  }

  #apply(set: EndpointSet): void {
    const key = `${set.namespace}/${set.name}`;
    if (set.endpoints === null) this.#sets.delete(key);
    else this.#sets.set(key, set.endpoints);
  }
}

/** A watch connection answered 200, retried every second while refused or unreachable; `counter.refused` counts the failures. */
async function connectRetrying(url: () => Promise<string>, lastEventId: string | undefined, counter: { refused: number }): Promise<SSEConnection> {
  const deadline = performance.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    let problem: string;
    try {
      const connection = await connectSSE(`${await url()}/api/v1/endpoints/watch`, lastEventId === undefined ? {} : { 'last-event-id': lastEventId });
      if (connection.status === 200) return connection;
      connection.close();
      problem = `HTTP ${String(connection.status)}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    counter.refused++;
    if (performance.now() > deadline) throw new Error(`the endpoints API refused the watch for ${String(CONNECT_TIMEOUT_MS)} ms (${problem})`);
    await sleep(1000);
  }
}
