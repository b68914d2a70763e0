import { createServer, type Server } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { apiStoreSets, renderThanosSD } from './stores.ts';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A hub endpoints API on loopback answering /api/v1/stores with `body`. */
async function serving(body: string): Promise<string> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/api/v1/stores' ? 200 : 404, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
}

describe('promfleet endpoints --format thanos-sd', () => {
  it('prints one target group per PrometheusCluster, as Thanos --store.sd-files reads it', async () => {
    const url = await serving(
      JSON.stringify({
        revision: 'r1',
        items: [
          {
            namespace: 'platform',
            name: 'cloud',
            targets: [
              { member: 'eu', address: '192.0.2.10:10901' },
              { member: 'us', address: 'store-us.example.com:443' },
            ],
          },
          { namespace: 'platform', name: 'edge', targets: [] },
        ],
      }),
    );
    const document = renderThanosSD(await apiStoreSets({ url }));
    expect(JSON.parse(document)).toEqual([{ targets: ['192.0.2.10:10901', 'store-us.example.com:443'] }, { targets: [] }]);
  });

  it('refuses an answer whose targets are not host:port, naming the item, never printing it', async () => {
    const url = await serving(
      JSON.stringify({
        revision: 'r1',
        items: [{ namespace: 'platform', name: 'cloud', targets: [{ member: 'eu', address: '192.0.2.10:10901\n- targets: [evil:1]' }] }],
      }),
    );
    await expect(apiStoreSets({ url })).rejects.toThrow(/items\[0\] is not \{ namespace, name, targets/);
    await expect(apiStoreSets({ url: await serving('not json') })).rejects.toThrow('the response is not JSON');
  });
});
