import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

import { Redis, type RedisOptions } from 'ioredis';

import { waitFor } from './http.ts';
import { scratchRoot } from './paths.ts';
import { ManagedProcess } from './process/managed-process.ts';
import { exitedForTakenPort, freePort, PortInUseError } from './process/ports.ts';

export interface RedisServerOptions {
  /** Keep data across stop/start and kill (append-only file, fsync on every write). Default off. */
  readonly persistence?: boolean;
  /** The redis-server binary; default `redis-server` from PATH. */
  readonly binary?: string;
}

/**
 * A real redis-server on a loopback port, with fault switches. `stop()`/`start()` keep the
 * port, so clients reconnect to the same URL; disposal also disconnects the clients made by
 * `client()` and removes the data.
 */
export class RedisServer implements AsyncDisposable {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly persistence: boolean;
  readonly #binary: string;
  readonly #clients = new Set<Redis>();
  #process: ManagedProcess | undefined;
  #disposed = false;

  constructor(fields: { port: number; dir: string; persistence: boolean; binary: string }) {
    this.port = fields.port;
    this.url = `redis://${this.host}:${String(fields.port)}`;
    this.dir = fields.dir;
    this.persistence = fields.persistence;
    this.#binary = fields.binary;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  /** Starts redis-server (again) on the same port; resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.#disposed) throw new Error('redis: already disposed');
    if (this.running) return;
    await mkdir(join(this.dir, 'data'), { recursive: true });
    const process = ManagedProcess.spawn({
      name: `redis-server[${String(this.port)}]`,
      command: this.#binary,
      args: [
        '--port',
        String(this.port),
        '--bind',
        this.host,
        '--dir',
        join(this.dir, 'data'),
        '--daemonize',
        'no',
        '--protected-mode',
        'no',
        '--logfile',
        '',
        '--save',
        '',
        ...(this.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ],
      logFile: join(this.dir, 'redis.log'),
    });
    this.#process = process;
    try {
      await waitFor(`redis-server on port ${String(this.port)}`, () => ping(this.host, this.port), {
        timeoutMs: 15_000,
        intervalMs: 20,
        failFast: () => (process.running ? undefined : `exited:\n${process.logTail(10)}`),
      });
    } catch (error) {
      if (exitedForTakenPort(process.running, process.logTail(10))) throw new PortInUseError(`port ${String(this.port)} is taken`, { cause: error });
      throw error;
    }
  }

  /** SIGTERM: a clean shutdown; with persistence the data is on disk. */
  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /** SIGKILL: a crash. */
  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** A new ioredis client for this server; disposal disconnects it if still open. */
  client(options: Omit<RedisOptions, 'replyMapping'> = {}): Redis {
    const client = new Redis({ host: this.host, port: this.port, ...options });
    this.#clients.add(client);
    client.once('end', () => this.#clients.delete(client));
    return client;
  }

  /** Disconnects the clients, stops the server and removes its data. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const client of this.#clients) client.disconnect();
    this.#clients.clear();
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** True when the server answers PING with PONG (not while it is still loading its data). */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => {
      done(false);
    });
    socket.on('error', () => {
      done(false);
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** Starts a redis-server on a free loopback port, retrying when another process takes it first. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(scratchRoot(), 'promfleet-redis-'));
  for (let attempt = 1; ; attempt++) {
    const server = new RedisServer({ port: await freePort(), dir, persistence: options.persistence ?? false, binary: options.binary ?? 'redis-server' });
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      if (!(error instanceof PortInUseError) || attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
