import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KubeClient, type ServerContact } from '../src/client/kube-client.ts';
import type { KubeObject } from '../src/client/objects.ts';
import { ResourceClient } from '../src/client/resource-client.ts';
import { resourceType } from '../src/client/resource-types.ts';
import { startTLSServer, type TLSTestServer } from './tls-server.ts';

const ConfigMaps = resourceType<KubeObject>('', 'v1', 'configmaps', 'ConfigMap', true);

let server: TLSTestServer;

// A server that answers a list, a 401, a 503, and a watch of two events sent apart, then ends it cleanly.
beforeAll(async () => {
  server = await startTLSServer('contact', (request, response) => {
    const url = new URL(request.url ?? '/', 'https://x');
    if (url.searchParams.get('watch') === 'true') {
      response.writeHead(200, { 'content-type': 'application/json' });
      const event = (name: string) => `${JSON.stringify({ type: 'ADDED', object: { metadata: { name, resourceVersion: '2' } } })}\n`;
      response.write(event('a'));
      setTimeout(() => response.end(event('b')), 50);
    } else if (url.pathname.endsWith('/denied')) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"kind":"Status","code":401}');
    } else if (url.pathname.endsWith('/broken')) {
      response.writeHead(503).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[],"metadata":{"resourceVersion":"1"}}');
    }
  });
});

afterAll(async () => {
  await server.close();
});

function client(at?: string): { client: KubeClient; contacts: string[] } {
  const contacts: string[] = [];
  const kubeConfig = server.kubeConfig('t', at);
  const onContact = ({ verb, resource, code }: ServerContact): void => {
    contacts.push(`${verb} ${resource} ${String(code)}`);
  };
  return { client: new KubeClient(kubeConfig, { cluster: 'm', requestTimeoutMs: 5_000, onContact }), contacts };
}

describe('KubeClient onContact', () => {
  it('reports each answer with its code: a list, a refusal, a server error', async () => {
    const { client: member, contacts } = client();
    try {
      await new ResourceClient(member, ConfigMaps).list({ namespace: 'ns' });
      await expect(new ResourceClient(member, ConfigMaps).get('denied', 'ns')).rejects.toThrow();
      await expect(new ResourceClient(member, ConfigMaps).get('broken', 'ns')).rejects.toThrow();
      expect(contacts).toEqual(['list configmaps 200', 'get configmaps 401', 'get configmaps 503']);
    } finally {
      await member.close();
    }
  });

  it('reports a watch opening, each chunk, and its clean end', async () => {
    const { client: member, contacts } = client();
    try {
      const events = await new ResourceClient(member, ConfigMaps).watch({ namespace: 'ns', resourceVersion: '1', timeoutSeconds: 60, silenceMs: 5_000 });
      const names: string[] = [];
      let beforeEnd = 0;
      for await (const event of events) {
        names.push(event.object.metadata?.name ?? '');
        beforeEnd = contacts.length;
      }
      expect(names).toEqual(['a', 'b']);
      // The opening and at least one chunk before the last event; the clean end after it.
      expect(beforeEnd).toBeGreaterThanOrEqual(2);
      expect(contacts).toHaveLength(beforeEnd + 1);
      expect(new Set(contacts)).toEqual(new Set(['watch configmaps 200']));
    } finally {
      await member.close();
    }
  });

  it('reports nothing when nothing answers', async () => {
    const { client: member, contacts } = client('https://127.0.0.1:1');
    try {
      await expect(new ResourceClient(member, ConfigMaps).list({ namespace: 'ns' })).rejects.toThrow();
      expect(contacts).toEqual([]);
    } finally {
      await member.close();
    }
  });
});
