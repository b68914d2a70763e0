import { createHook } from 'node:async_hooks';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KubeConnectionError } from '../src/client/errors.ts';
import { KubeClient } from '../src/client/kube-client.ts';
import { startTLSServer, type TLSTestServer } from './tls-server.ts';

let server: TLSTestServer;

// A server that answers at once, except /stalled, whose answer never starts.
beforeAll(async () => {
  server = await startTLSServer('deadline', (request, response) => {
    if (request.url?.endsWith('/stalled')) return;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"Status"}');
  });
});

afterAll(async () => {
  await server.close();
});

const client = () => new KubeClient(server.kubeConfig('t'), { cluster: 'm', requestTimeoutMs: 60_000 });

/** Timers created while `run` runs that are still armed once it has returned. */
async function timersLeftBy(run: () => Promise<void>): Promise<number> {
  const armed = new Set<number>();
  const hook = createHook({
    init: (id, type) => {
      if (type === 'Timeout') armed.add(id);
    },
    destroy: (id) => armed.delete(id),
  });
  hook.enable();
  try {
    await run();
    // Destroy hooks of cleared timers run on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.disable();
  }
  return armed.size;
}

describe('KubeClient deadlines', () => {
  it('end with the answer: a hundred requests leave no deadline timer armed behind them', async () => {
    const kube = client();
    await kube.request({ verb: 'get', method: 'GET', path: '/warm-up' });
    // One after another, on the one kept-alive connection: its own timers (the client's and the
    // server's keep-alive) are a few, where a deadline timer per request would be a hundred.
    const left = await timersLeftBy(async () => {
      for (let i = 0; i < 100; i++) await kube.request({ verb: 'get', method: 'GET', path: `/api/v1/namespaces/n${String(i)}` });
    });
    expect(left).toBeLessThan(10);
    await kube.close();
  });

  it('still end a request whose answer never starts, as a timeout', async () => {
    const kube = client();
    const started = performance.now();
    const error = await kube.request({ verb: 'get', method: 'GET', path: '/stalled', timeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as KubeConnectionError).timedOut).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await kube.close();
  });
});
