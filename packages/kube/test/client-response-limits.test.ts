import type { ServerResponse } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KubeApiError, KubeResponseTooLargeError } from '../src/client/errors.ts';
import { KubeClient } from '../src/client/kube-client.ts';
import type { KubeObject } from '../src/client/objects.ts';
import { ResourceClient } from '../src/client/resource-client.ts';
import { resourceType } from '../src/client/resource-types.ts';
import { startTLSServer, type TLSTestServer } from './tls-server.ts';

// The kind a hub watches in its members.
const PrometheusReplicas = resourceType<KubeObject>('promfleet.io', 'v1alpha1', 'prometheusreplicas', 'PrometheusReplica', true);

const TOKEN = 'hub-token-7d1f0c4e';
const LIMITS = { maxResponseBytes: 2 ** 20, maxWatchEventBytes: 2 ** 20 };
const GIGABYTE = 2 ** 30;

let server: TLSTestServer;
/** Bytes the hostile server managed to send per path, until the client hung up. */
const sent = new Map<string, number>();

/** Writes `total` bytes of `fill` (never holding them), as fast as the client reads, until it hangs up. */
function flood(response: ServerResponse, path: string, total: number, fill: string): void {
  const block = Buffer.alloc(64 * 1024, fill);
  let written = 0;
  const pump = (): void => {
    while (written < total) {
      written += block.length;
      sent.set(path, written);
      if (!response.write(block)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => {
    written = total;
  });
  pump();
}

beforeAll(async () => {
  server = await startTLSServer('hostile', (request, response) => {
    const path = new URL(request.url ?? '/', 'https://x').pathname;
    const watch = new URL(request.url ?? '/', 'https://x').searchParams.get('watch') === 'true';
    if (path === '/version') {
      response.writeHead(200, { 'content-type': 'application/json' });
      flood(response, path, GIGABYTE, ' ');
    } else if (path === '/announced') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(GIGABYTE) });
      flood(response, path, GIGABYTE, ' ');
    } else if (watch) {
      response.writeHead(200, { 'content-type': 'application/json' });
      flood(response, 'watch', GIGABYTE, 'x');
    } else if (path === '/echo') {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', code: 403, message: `you sent ${request.headers.authorization ?? ''}; ${'x'.repeat(5000)}` }));
    } else {
      response.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  await server.close();
});

function client(limits: typeof LIMITS | undefined = LIMITS): KubeClient {
  return new KubeClient(server.kubeConfig(TOKEN), { cluster: 'hostile', requestTimeoutMs: 60_000, ...limits });
}

describe('a member that answers too much', () => {
  it('a 1 GiB body gives a bounded error after about the limit, not a full read', async () => {
    const hostile = client();
    try {
      await expect(hostile.request({ verb: 'discovery', method: 'GET', path: '/version' })).rejects.toThrow(
        new KubeResponseTooLargeError('hostile', 'discovery /version', LIMITS.maxResponseBytes, 'response body'),
      );
      // What the kernel buffers hold beyond the limit, not a gigabyte.
      expect(sent.get('/version')).toBeLessThan(64 * 2 ** 20);
      await expect(hostile.request({ verb: 'discovery', method: 'GET', path: '/announced' })).rejects.toThrow(
        'the response body is larger than 1 MiB; refused',
      );
    } finally {
      await hostile.close();
    }
  });

  it('a watch stream without a newline gives a bounded error', async () => {
    const hostile = client();
    try {
      const events = await new ResourceClient(hostile, PrometheusReplicas).watch({
        namespace: 'monitoring',
        resourceVersion: '1',
        timeoutSeconds: 60,
        silenceMs: 60_000,
      });
      await expect(events.next()).rejects.toThrow(
        'hostile: watch /apis/promfleet.io/v1alpha1/namespaces/monitoring/prometheusreplicas: the watch event is larger than 1 MiB; refused',
      );
      expect(sent.get('watch')).toBeLessThan(64 * 2 ** 20);
    } finally {
      await hostile.close();
    }
  });

  it('an error message is cut short, and never carries the token back', async () => {
    const hostile = client();
    try {
      const error = await hostile.request({ verb: 'get', method: 'GET', path: '/echo' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      const { message } = error as KubeApiError;
      expect(message).toContain('you sent Bearer [redacted]; xxx');
      expect(message).not.toContain(TOKEN);
      expect(message.length).toBeLessThan(1200);
    } finally {
      await hostile.close();
    }
  });
});
