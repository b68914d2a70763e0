import { once } from 'node:events';

import type { CpuProfile } from './cpu-profile.ts';

interface Reply {
  readonly id?: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
}

/** A session on another Node process's inspector (the process runs with `--inspect=127.0.0.1:PORT`). */
class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #next = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const reply = JSON.parse(String(event.data)) as Reply;
      if (reply.id !== undefined) this.#pending.get(reply.id)?.(reply);
    });
  }

  static async open(port: number): Promise<InspectorSession> {
    const targets = (await (await fetch(`http://127.0.0.1:${String(port)}/json/list`, { signal: AbortSignal.timeout(10_000) })).json()) as {
      webSocketDebuggerUrl?: string;
    }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${String(port)}`);
    const socket = new WebSocket(url);
    await once(socket, 'open');
    return new InspectorSession(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const id = ++this.#next;
      this.#pending.set(id, (reply) => {
        this.#pending.delete(id);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}

/**
 * The heap in use of another Node process right after a full garbage collection, through its
 * inspector: a figure that does not depend on when the collector last ran.
 */
export async function heapAfterGC(port: number): Promise<number> {
  const session = await InspectorSession.open(port);
  try {
    await session.call('HeapProfiler.collectGarbage');
    const usage = await session.call('Runtime.getHeapUsage');
    return Number(usage.usedSize);
  } finally {
    session.close();
  }
}

/** A sampling CPU profile that has started: `stop` ends it and hands back what it recorded. */
export interface RunningProfile {
  stop(): Promise<CpuProfile>;
}

/**
 * Starts V8's sampling profiler in another Node process (every `intervalUs` of its CPU time), so a
 * benchmark can profile one phase of a long run, not the process's whole life (`--cpu-prof`).
 */
export async function startCpuProfile(port: number, intervalUs = 1000): Promise<RunningProfile> {
  const session = await InspectorSession.open(port);
  try {
    await session.call('Profiler.enable');
    await session.call('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.call('Profiler.start');
  } catch (error) {
    session.close();
    throw error;
  }
  return {
    async stop() {
      try {
        const { profile } = await session.call('Profiler.stop');
        return profile as CpuProfile;
      } finally {
        session.close();
      }
    },
  };
}
