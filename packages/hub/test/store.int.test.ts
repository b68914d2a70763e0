import type { DNSRecord } from '@promfleet/api';
import { KitMetrics } from '@promfleet/kube/observability';
import { parseMetricsText, startRedis, eventually as eventuallyAsync, type RedisServer } from '@promfleet/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MemoryEndpointStore } from '../src/endpoints/memory-store.ts';
import { RedisEndpointStore } from '../src/endpoints/redis-store.ts';
import type { EndpointStore, StoreEvent } from '../src/endpoints/store.ts';

let redis: RedisServer;
let prefix = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

const a = (ip: string): DNSRecord[] => [{ dnsName: 'query.example.com', recordType: 'A', targets: [ip], ttl: 30 }];

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const implementations: [string, () => Promise<EndpointStore>][] = [
  ['memory', () => Promise.resolve(new MemoryEndpointStore())],
  ['redis', async () => {
    const store = new RedisEndpointStore({ url: redis.url, prefix: `test${String(prefix++)}:` });
    await store.start();
    return store;
  }],
];

describe.each(implementations)('%s endpoint store', (_name, create) => {
  it('bumps the revision and tells subscribers only when something changes', async () => {
    const store = await create();
    const events: StoreEvent[] = [];
    store.subscribe((event) => events.push(event));
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    await eventually('revision 1', () => store.snapshot().revision === 1);
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    await store.remove('platform', 'cloud');
    await store.remove('platform', 'cloud');
    await eventually('revision 3', () => store.snapshot().revision === 3);
    const changes = events.flatMap((e) => (e.type === 'change' ? [[e.change.revision, e.change.endpoints?.[0]?.targets[0] ?? null]] : []));
    expect(changes).toEqual([
      [1, '192.0.2.10'],
      [2, '192.0.2.11'],
      [3, null],
    ]);
    expect(store.snapshot()).toEqual({ revision: 3, items: [] });
    await store.stop();
  });

  it('keeps recent changes for resuming watchers, and says when they are too old', async () => {
    const store = await create();
    for (const [i, name] of ['a', 'b', 'c'].entries()) await store.put({ namespace: 'ns', name, endpoints: a(`192.0.2.${String(i)}`) });
    await eventually('revision 3', () => store.snapshot().revision === 3);
    expect(store.changesSince(1)?.map((c) => c.name)).toEqual(['b', 'c']);
    expect(store.changesSince(3)).toEqual([]);
    expect(store.changesSince(99)).toBeUndefined();
    expect(store.get('ns', 'b')?.endpoints).toEqual(a('192.0.2.1'));
    expect(store.snapshot().items.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    await store.stop();
  });

  it('replaces everything at once and restarts watchers from a snapshot', async () => {
    const store = await create();
    await store.put({ namespace: 'ns', name: 'old', endpoints: a('192.0.2.1') });
    await eventually('revision 1', () => store.snapshot().revision === 1);
    const events: StoreEvent[] = [];
    store.subscribe((event) => events.push(event));
    await store.replaceAll([{ namespace: 'ns', name: 'new', endpoints: a('192.0.2.2') }]);
    await eventually('the new set', () => store.get('ns', 'new') !== undefined && store.get('ns', 'old') === undefined);
    expect(store.snapshot().revision).toBeGreaterThan(1);
    expect(events.length).toBeGreaterThan(0);
    await store.stop();
  });
});

describe('Redis endpoint store across processes and outages', () => {
  it('lets readers follow a writer, serve their last snapshot while Redis is down, and catch up when it is back', async () => {
    const own = await startRedis();
    const writer = new RedisEndpointStore({ url: own.url, onReconnect: () => void writer.replaceAll([{ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.20') }]) });
    const reader = new RedisEndpointStore({ url: own.url });
    try {
      await writer.start();
      await reader.start();
      await writer.put({ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.10') });
      await eventually('the reader sees the write', () => reader.get('ns', 'cloud')?.endpoints[0]?.targets[0] === '192.0.2.10');
      const before = reader.snapshot().revision;
      expect(reader.degraded()).toBeUndefined();

      await own.kill();
      await eventually('degraded', () => reader.degraded() !== undefined);
      expect(reader.degraded()).toContain('serving the last snapshot');
      expect(reader.get('ns', 'cloud')?.endpoints[0]?.targets[0]).toBe('192.0.2.10');
      await expect(writer.put({ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.30') })).rejects.toThrow();

      // Back empty (no persistence): the writer republishes, revisions keep increasing.
      await own.start();
      await eventually('the republished data', () => reader.get('ns', 'cloud')?.endpoints[0]?.targets[0] === '192.0.2.20', 20_000);
      expect(reader.snapshot().revision).toBeGreaterThan(before);
      await eventually('healthy again', () => reader.degraded() === undefined);
    } finally {
      await writer.stop();
      await reader.stop();
      await own.stop();
    }
  }, 60_000);
});

describe('Redis endpoint store reading what it did not write', () => {
  it('skips and counts each invalid entry, serves the good ones, says degraded, and recovers when the entry is written right', async () => {
    const own = await startRedis();
    const metrics = new KitMetrics();
    const writer = new RedisEndpointStore({ url: own.url });
    const reader = new RedisEndpointStore({ url: own.url, metrics });
    const raw = new Redis(own.url);
    try {
      await writer.start();
      await writer.put({ namespace: 'ns', name: 'good', endpoints: a('192.0.2.10') });
      // What something else with access to Redis wrote next to it.
      await raw.hset('promfleet:endpoints', 'ns/not-json', '{oops');
      await raw.hset('promfleet:endpoints', 'ns/injected', JSON.stringify([{ dnsName: 'query.example.com', recordType: 'A', targets: ['192.0.2.1\nevil.example.com. 30 IN A 203.0.113.66'], ttl: 30 }]));
      await raw.hset('promfleet:endpoints', 'Not A Key', JSON.stringify(a('192.0.2.11')));
      await reader.start();
      expect(reader.snapshot().items.map((set) => `${set.namespace}/${set.name}`)).toEqual(['ns/good']);
      expect(reader.degraded()).toBe('Redis holds 3 invalid endpoint entries, not served (a key that is not namespace/name, ns/injected, ns/not-json); the others are');
      const text = await metrics.registry.metrics();
      expect(parseMetricsText(text, ['promfleet_endpoint_store_invalid_entries'])[0]?.value).toBe(3);
      expect(parseMetricsText(text, ['promfleet_endpoint_store_invalid_entries_total']).find((s) => s.labels.kind === 'entry')?.value).toBe(3);
      expect(text).not.toContain('evil.example.com');

      // A change message nobody could have sent is counted, and the reader reloads from the hash.
      await raw.publish('promfleet:endpoints:changes', 'not json at all');
      await eventuallyAsync('the message counted', async () => parseMetricsText(await metrics.registry.metrics(), ['promfleet_endpoint_store_invalid_entries_total']).find((s) => s.labels.kind === 'message')?.value === 1);
      // Good writes keep flowing, and a good write over a bad entry serves it again.
      await writer.put({ namespace: 'ns', name: 'injected', endpoints: a('192.0.2.12') });
      await eventually('the repaired entry served', () => reader.get('ns', 'injected')?.endpoints[0]?.targets[0] === '192.0.2.12');
      expect(reader.degraded()).toBe('Redis holds 2 invalid endpoint entries, not served (a key that is not namespace/name, ns/not-json); the others are');
      expect(reader.get('ns', 'good')?.endpoints).toEqual(a('192.0.2.10'));
    } finally {
      raw.disconnect();
      await writer.stop();
      await reader.stop();
      await own.stop();
    }
  }, 60_000);
});
