import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to an API server: what is reached through it goes away when the relay closes
 * (connections refused, open ones cut) and comes back when it opens again, and answers slowly
 * while `answerDelayMs` is set — one API server, and only this path to it fails or lags.
 */
export class Relay {
  /** How long every byte coming back is held; bytes keep their order when it changes. */
  answerDelayMs = 0;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  constructor(target: URL) {
    this.#target = { host: target.hostname, port: Number(target.port) };
  }

  get url(): string {
    return `https://127.0.0.1:${String(this.port)}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host);
      this.#sockets.add(client).add(upstream);
      client.pipe(upstream);
      // Not piped: a held byte must not be overtaken by a later one sent with a shorter delay. One
      // queue and one timer, since timers of different durations due in the same millisecond fire
      // in no promised order (and a TLS record out of order is a broken connection).
      const held: { readonly chunk: Buffer; readonly releaseAt: number }[] = [];
      let timer: NodeJS.Timeout | undefined;
      const release = (): void => {
        timer = undefined;
        let next = held[0];
        while (next && next.releaseAt <= Date.now()) {
          client.write(next.chunk);
          held.shift();
          next = held[0];
        }
        if (next) timer = setTimeout(release, next.releaseAt - Date.now());
      };
      upstream.on('data', (chunk: Buffer) => {
        const releaseAt = Math.max(Date.now() + this.answerDelayMs, held.at(-1)?.releaseAt ?? 0);
        held.push({ chunk, releaseAt });
        if (timer === undefined) release();
      });
      const drop = (): void => {
        clearTimeout(timer);
        held.length = 0;
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.#server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
