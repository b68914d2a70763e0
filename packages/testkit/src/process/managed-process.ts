import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Socket } from 'node:net';

import { registerGroup, unregisterGroup } from './registry.ts';

const LOG_TAIL_BYTES = 16 * 1024;

export interface SpawnOptions {
  /** Name used in errors, e.g. `kube-apiserver[eu]`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where stdout and stderr go; the last 16 KiB are also kept for error messages. */
  readonly logFile: string;
}

/**
 * A child process in its own process group, registered with the reaper so it cannot outlive
 * the test process. Stopping signals the whole group, so nothing the child started survives.
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  #child: ChildProcess;
  #tail = '';
  #log: WriteStream;
  #exitCode: number | null | undefined;

  private constructor(options: SpawnOptions) {
    this.name = options.name;
    this.#log = createWriteStream(options.logFile, { flags: 'a' });
    this.#child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A command that cannot be spawned (ENOENT) also emits 'error', which must not crash the
    // test process: the missing pid below already reports it.
    this.#child.on('error', () => undefined);
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error(`${this.name}: could not start ${options.command}`);
    this.pid = pid;
    registerGroup(pid);
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.#log.write(chunk);
        this.#tail = (this.#tail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
      });
    }
    this.exited = once(this.#child, 'exit').then(([code]) => {
      this.#exitCode = code as number | null;
      unregisterGroup(pid);
      this.#log.end();
      return this.#exitCode;
    });
    // The test process must be able to exit while children run; dispose/reaper end them.
    this.#child.unref();
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (stream instanceof Socket) stream.unref();
    }
  }

  static spawn(options: SpawnOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** The last lines the process printed, for error messages. */
  logTail(lines = 30): string {
    return this.#tail.split('\n').slice(-lines).join('\n');
  }

  /**
   * SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has exited, with
   * whether it took the SIGKILL (it did not end on SIGTERM within the grace period).
   */
  async stop(graceMs = 5000): Promise<boolean> {
    if (!this.running) return false;
    this.#signal('SIGCONT');
    this.#signal('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.#signal('SIGKILL');
    }, graceMs);
    await this.#exit();
    clearTimeout(timer);
    // Whatever the leader started in its group goes too.
    this.#signal('SIGKILL');
    return killed;
  }

  /** SIGKILL to the group: a crash, not a shutdown. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#signal('SIGKILL');
    await this.#exit();
  }

  /**
   * Waits for the exit while holding the event loop open: the child is unref'd, so without a
   * timer of our own a script awaiting stop() could end before the exit arrives.
   */
  async #exit(): Promise<void> {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await this.exited;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** SIGSTOP: the process hangs instead of refusing connections. */
  pause(): void {
    this.#signal('SIGSTOP');
  }

  resume(): void {
    this.#signal('SIGCONT');
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}
