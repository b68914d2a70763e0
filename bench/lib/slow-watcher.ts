import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A client of `/api/v1/endpoints/watch` that sends its request and never reads a byte: the
 * worst DNS automation client there is (a stuck process, a hostile one). Its socket is paused,
 * so the kernel buffers fill and everything else the server writes waits in the server.
 */
export class SlowWatcher {
  readonly #socket: Socket;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('close', () => {
      this.#closed = true;
    });
    // A reset from a server that cut the watcher is expected; nothing waits on it.
    socket.on('error', () => undefined);
  }

  static async open(port: number, headers: Readonly<Record<string, string>> = {}): Promise<SlowWatcher> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const lines = [
      'GET /api/v1/endpoints/watch HTTP/1.1',
      'Host: 127.0.0.1',
      'Accept: text/event-stream',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    socket.pause();
    return new SlowWatcher(socket);
  }

  /** Whether the connection is gone (the server cut it), as far as a client that never reads can tell. */
  get closed(): boolean {
    return this.#closed || this.#socket.destroyed;
  }

  close(): void {
    this.#socket.destroy();
  }
}
