import { once } from 'node:events';

interface Reply {
  readonly id?: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
}

/**
 * The heap in use of another Node process right after a full garbage collection, through its
 * inspector (the process runs with `--inspect=127.0.0.1:PORT`): a figure that does not depend
 * on when the collector last ran.
 */
export async function heapAfterGC(port: number): Promise<number> {
  const targets = (await (await fetch(`http://127.0.0.1:${String(port)}/json/list`, { signal: AbortSignal.timeout(10_000) })).json()) as {
    webSocketDebuggerUrl?: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${String(port)}`);
  const socket = new WebSocket(url);
  await once(socket, 'open');
  const pending = new Map<number, (reply: Reply) => void>();
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as Reply;
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  let next = 0;
  const call = (method: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, (reply) => {
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return Number(usage.usedSize);
  } finally {
    socket.close();
  }
}
