import { connect } from 'node:net';

import type { DNSRecord } from '@promfleet/api';
import { createHttpServer, KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { eventually, parseMetricsText } from '@promfleet/testkit';
import { describe, expect, it } from 'vitest';

import { MemoryEndpointStore } from './memory-store.ts';
import { PRESSED_BUFFER_BYTES, Watchers } from './watch-stream.ts';

const many = (seed: number, count: number): DNSRecord[] => [
  {
    dnsName: 'query.example.com',
    recordType: 'A',
    targets: Array.from({ length: count }, (_, i) => `10.${String(seed % 250)}.${String(Math.floor(i / 250))}.${String(i % 250)}`),
    ttl: 30,
  },
];

async function cut(metrics: KitMetrics, reason: string): Promise<number> {
  return parseMetricsText(await metrics.registry.metrics(), ['promfleet_endpoints_watchers_dropped_total']).find((s) => s.labels.reason === reason)?.value ?? 0;
}

describe('watchers under pressure', () => {
  // Real sockets, waited on (30 s: a loaded machine may need longer than the default 5 s).
  it('cuts a watcher that is behind by more than the pressed buffer while the process is under pressure, whatever --api-watch-buffer allows', async () => {
    const store = new MemoryEndpointStore();
    const metrics = new KitMetrics();
    let pressure = false;
    const watchers = new Watchers(store, { bufferBytes: 1024 ** 3, maxWatchers: 10, heartbeatMs: 60_000 }, metrics, silentLogger, () => pressure);
    const app = createHttpServer({ metrics, logger: silentLogger });
    app.get('/watch', (request, reply) => watchers.serve(request, reply, undefined));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const socket = connect({ host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0 });
    socket.on('error', () => undefined);
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET /watch HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.pause();
      await eventually(
        'the watcher connected',
        async () => parseMetricsText(await metrics.registry.metrics(), ['promfleet_endpoints_watchers'])[0]?.value === 1,
      );
      // Without pressure the 1 GiB buffer holds far more than the pressed one.
      for (let seed = 1; seed <= 400; seed++) await store.put({ namespace: 'ns', name: 'big', endpoints: many(seed, 4000) });
      expect(await cut(metrics, 'slow')).toBe(0);
      expect(await cut(metrics, 'pressure')).toBe(0);
      pressure = true;
      await store.put({ namespace: 'ns', name: 'big', endpoints: many(401, 4000) });
      await store.put({ namespace: 'ns', name: 'big', endpoints: many(402, 4000) });
      expect(await cut(metrics, 'pressure')).toBe(1);
      expect(PRESSED_BUFFER_BYTES).toBeLessThan(1024 ** 3);
      await eventually('no watcher left', async () => parseMetricsText(await metrics.registry.metrics(), ['promfleet_endpoints_watchers'])[0]?.value === 0);
    } finally {
      socket.destroy();
      await app.close();
    }
  }, 30_000);
});
