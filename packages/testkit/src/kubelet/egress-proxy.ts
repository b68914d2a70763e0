import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Where a pod address really is: a loopback port, or undefined when nothing listens there. */
export type PodResolver = (host: string, port: number) => number | undefined;

/**
 * The API server's way to the pods: an HTTP CONNECT proxy on a Unix socket (its egress selector
 * points there). A CONNECT to `podIP:port` goes to the loopback port the kubelet's process for
 * that pod listens on; anything else gets a 502 at once instead of a connection that hangs.
 */
export class EgressProxy {
  readonly socket: string;
  readonly #resolve: PodResolver;
  readonly #server: Server;
  readonly #open = new Set<Socket>();

  constructor(socket: string, resolve: PodResolver) {
    this.socket = socket;
    this.#resolve = resolve;
    this.#server = createServer((_request, response) => {
      response.writeHead(405).end('testkit egress: CONNECT only\n');
    });
    this.#server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
      this.#connect(request, client, head);
    });
  }

  async start(): Promise<void> {
    await rm(this.socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socket, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
    await rm(this.socket, { force: true });
  }

  #connect(request: IncomingMessage, client: Socket, head: Buffer): void {
    this.#track(client);
    const target = /^(.+):(\d+)$/.exec(request.url ?? '');
    const port = target?.[1] && target[2] ? this.#resolve(target[1].replace(/^\[|\]$/g, ''), Number(target[2])) : undefined;
    if (port === undefined) {
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\ntestkit: nothing listens on ${request.url ?? ''} (the fake kubelet runs no process there)\n`,
      );
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.#track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }

  #track(socket: Socket): void {
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
  }
}
