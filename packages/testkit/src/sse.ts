/** One Server-Sent Event as a client sees it. */
export interface ServerSentEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
  /** When the client received it (performance.now()), for latency measurements. */
  readonly receivedAt: number;
}

export interface SSEConnection {
  readonly status: number;
  /** The next event; rejects after `timeoutMs` or when the stream ends. */
  next(timeoutMs?: number): Promise<ServerSentEvent>;
  close(): void;
}

/** A minimal EventSource for tests and benchmarks: fetch, parse, queue. */
export async function connectSSE(url: string, headers: Record<string, string> = {}): Promise<SSEConnection> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const queue: ServerSentEvent[] = [];
  const waiters: ((event: ServerSentEvent | Error) => void)[] = [];
  let ended: Error | undefined;
  const deliver = (item: ServerSentEvent | Error): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else if (item instanceof Error) ended = item;
    else queue.push(item);
  };
  if (response.body && response.ok) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      let fields: { id?: string; event?: string; data: string[] } = { data: [] };
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline).replace(/\r$/, '');
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
            if (line === '') {
              if (fields.data.length > 0 || fields.event) {
                deliver({ id: fields.id, event: fields.event ?? 'message', data: fields.data.join('\n'), receivedAt: performance.now() });
              }
              fields = { data: [] };
            } else if (!line.startsWith(':')) {
              const colon = line.indexOf(':');
              const name = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (name === 'data') fields.data.push(value);
              else if (name === 'event') fields.event = value;
              else if (name === 'id') fields.id = value;
            }
          }
        }
        deliver(new Error('the event stream ended'));
      } catch (error) {
        deliver(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  }
  return {
    status: response.status,
    next: (timeoutMs = 5000) => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(settle), 1);
          reject(new Error(`no event within ${String(timeoutMs)} ms`));
        }, timeoutMs);
        const settle = (item: ServerSentEvent | Error): void => {
          clearTimeout(timer);
          if (item instanceof Error) reject(item);
          else resolve(item);
        };
        waiters.push(settle);
      });
    },
    close: () => {
      abort.abort();
    },
  };
}
