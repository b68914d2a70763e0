import { join } from 'node:path';

import { ManagedProcess } from '../../process/managed-process.ts';

/** How a Prometheus process ended: on its own (a crash, or a clean exit on SIGTERM) or by SIGKILL after the grace period. */
export interface Exit {
  readonly code: number | null;
  readonly killed: boolean;
  readonly at: string;
}

/** One real Prometheus, on a loopback port, as a container of a pod. */
export class PrometheusProcess {
  readonly port: number;
  readonly startedAt: string;
  readonly #process: ManagedProcess;
  #stopping = false;

  private constructor(process: ManagedProcess, port: number) {
    this.#process = process;
    this.port = port;
    this.startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  static start(options: { binary: string; args: readonly string[]; env: NodeJS.ProcessEnv; dir: string; name: string; port: number }): PrometheusProcess {
    const process = ManagedProcess.spawn({
      name: `prometheus[${options.name}]`,
      command: options.binary,
      args: options.args,
      env: options.env,
      cwd: options.dir,
      logFile: join(options.dir, 'prometheus.log'),
    });
    return new PrometheusProcess(process, options.port);
  }

  get pid(): number {
    return this.#process.pid;
  }

  /** Resolves when the process ends on its own (not when stopped). */
  get crashed(): Promise<Exit> {
    return this.#process.exited.then((code) => ({ code, killed: false, at: new Date().toISOString() }));
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  logTail(): string {
    return this.#process.logTail(5);
  }

  async ready(): Promise<boolean> {
    return (await this.#get('/-/ready')).ok;
  }

  /** What the reloader does after a config or rule change: POST /-/reload. */
  async reload(): Promise<void> {
    await fetch(`http://127.0.0.1:${String(this.port)}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  }

  /** SIGTERM, and SIGKILL when it is still running after `graceMs`, as a kubelet stops a container. */
  async stop(graceMs: number): Promise<Exit> {
    this.#stopping = true;
    const killed = await this.#process.stop(graceMs);
    return { code: await this.#process.exited, killed, at: new Date().toISOString() };
  }

  async #get(path: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${String(this.port)}${path}`, { signal: AbortSignal.timeout(2000) }).catch(() => new Response(null, { status: 599 }));
  }
}
