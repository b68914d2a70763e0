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

/**
 * A DNS automation client of the endpoints API: follows `/api/v1/endpoints/watch` (snapshot,
 * then changes) and keeps the records by `namespace/name`. `until` resolves with the moment
 * the event after which a condition holds was received.
 */
export class EndpointStream {
  readonly #sets = new Map<string, readonly DNSRecord[]>();
  readonly #waiters = new Set<Waiter>();
  readonly #connection: SSEConnection;
  #closed = false;
  #failure: Error | undefined;

  private constructor(connection: SSEConnection) {
    this.#connection = connection;
  }

  static async connect(url: string): Promise<EndpointStream> {
    const stream = new EndpointStream(await connectSSE(`${url}/api/v1/endpoints/watch`));
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
        // After close() this is the stream ending, and no one waits any more.
        this.#failure = error instanceof Error ? error : new Error(String(error));
        return;
      }
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
  }

  #apply(set: EndpointSet): void {
    const key = `${set.namespace}/${set.name}`;
    if (set.endpoints === null) this.#sets.delete(key);
    else this.#sets.set(key, set.endpoints);
  }
}
