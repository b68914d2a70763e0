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
  await redis.dispose();
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
  [
    'redis',
    async () => {
      const store = new RedisEndpointStore({ url: redis.url, prefix: `test${String(prefix++)}:` });
      await store.start();
      return store;
    },
  ],
];

const EMPTY = new MemoryEndpointStore().snapshot().revision;

describe.each(implementations)('%s endpoint store', (_name, create) => {
  it('revises by content, and tells subscribers only when something changes', async () => {
    const store = await create();
    const events: StoreEvent[] = [];
    store.subscribe((event) => events.push(event));
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    await eventually('the first change', () => events.length === 1);
    const first = store.snapshot().revision;
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.10') });
    await store.put({ namespace: 'platform', name: 'cloud', endpoints: a('192.0.2.11') });
    await store.remove('platform', 'cloud');
    await store.remove('platform', 'cloud');
    await eventually('three changes', () => events.length === 3);
    const changes = events.flatMap((e) => (e.type === 'change' ? [[e.change.revision, e.change.endpoints?.[0]?.targets[0] ?? null]] : []));
    expect(changes).toEqual([
      [first, '192.0.2.10'],
      [expect.any(String), '192.0.2.11'],
      // Nothing left is the same content as nothing at all.
      [EMPTY, null],
    ]);
    expect(new Set(changes.map(([revision]) => revision)).size).toBe(3);
    expect(store.snapshot()).toEqual({ revision: EMPTY, items: [] });
    await store.stop();
  });

  it('keeps recent changes for resuming watchers from any revision it held, and says when it never did', async () => {
    const store = await create();
    const held: string[] = [];
    store.subscribe((event) => {
      if (event.type === 'change') held.push(event.change.revision);
    });
    for (const [i, name] of ['a', 'b', 'c'].entries()) await store.put({ namespace: 'ns', name, endpoints: a(`192.0.2.${String(i)}`) });
    await eventually('three changes', () => held.length === 3);
    const [afterA = '', afterB = '', afterC = ''] = held;
    expect(store.changesSince(afterA)?.map((c) => c.name)).toEqual(['b', 'c']);
    expect(store.changesSince(afterB)?.map((c) => c.name)).toEqual(['c']);
    expect(store.changesSince(afterC)).toEqual([]);
    expect(store.changesSince(EMPTY)?.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(store.changesSince('99')).toBeUndefined();
    expect(store.changesSince('0123456789abcdef0123456789abcdef')).toBeUndefined();
    // Back to content it held before: a watcher from then gets only what came after the last time.
    await store.remove('ns', 'c');
    await eventually('back to the content after b', () => store.snapshot().revision === afterB);
    expect(store.changesSince(afterB)).toEqual([]);
    expect(store.changesSince(afterC)?.map((c) => [c.name, c.endpoints])).toEqual([['c', null]]);
    expect(store.get('ns', 'b')?.endpoints).toEqual(a('192.0.2.1'));
    expect(store.snapshot().items.map((s) => s.name)).toEqual(['a', 'b']);
    await store.stop();
  });

  it('replaces everything at once and restarts watchers from a snapshot', async () => {
    const store = await create();
    await store.put({ namespace: 'ns', name: 'old', endpoints: a('192.0.2.1') });
    await eventually('the old set', () => store.get('ns', 'old') !== undefined);
    const before = store.snapshot().revision;
    const events: StoreEvent[] = [];
    store.subscribe((event) => events.push(event));
    await store.replaceAll([{ namespace: 'ns', name: 'new', endpoints: a('192.0.2.2') }]);
    await eventually('the new set', () => store.get('ns', 'new') !== undefined && store.get('ns', 'old') === undefined);
    expect(store.snapshot().revision).not.toBe(before);
    expect(events.length).toBeGreaterThan(0);
    await store.stop();
  });
});

describe('revisions across replicas', () => {
  it('are the same for the same records, whatever the order, the path or the store they came by', async () => {
    const x = { namespace: 'platform', name: 'x', endpoints: a('192.0.2.10') };
    const y = { namespace: 'team', name: 'y', endpoints: a('198.51.100.10') };
    // Two hub replicas without Redis, each filled from its own cache: one saw y first and an older x.
    const one = new MemoryEndpointStore();
    await one.replaceAll([x, y]);
    const two = new MemoryEndpointStore();
    await two.replaceAll([]);
    await two.put(y);
    await two.put({ ...x, endpoints: a('192.0.2.99') });
    await two.put(x);
    expect(two.snapshot().revision).toBe(one.snapshot().revision);
    expect(two.snapshot().revision).not.toBe(EMPTY);

    // A hub writing to Redis, a reader that followed every change, one that started after them.
    const keys = `test${String(prefix++)}:`;
    const writer = new RedisEndpointStore({ url: redis.url, prefix: keys });
    const follower = new RedisEndpointStore({ url: redis.url, prefix: keys });
    await writer.start();
    await follower.start();
    await writer.replaceAll([]);
    await writer.put(x);
    await writer.put(y);
    const late = new RedisEndpointStore({ url: redis.url, prefix: keys });
    await late.start();
    try {
      await eventually('every Redis reader has both sets', () => [writer, follower, late].every((store) => store.snapshot().items.length === 2));
      expect(new Set([writer, follower, late, one].map((store) => store.snapshot().revision))).toEqual(new Set([one.snapshot().revision]));
      // And a change on one is the same change everywhere: the same revision, the same SSE event id.
      const seen: string[] = [];
      late.subscribe((event) => {
        if (event.type === 'change') seen.push(event.change.revision);
      });
      await writer.remove('team', 'y');
      await one.remove('team', 'y');
      // Each reader follows on its own subscription: wait for both, not just the one watched.
      await eventually('the removal followed', () => seen.length === 1 && follower.snapshot().items.length === 1);
      expect(seen).toEqual([one.snapshot().revision]);
      expect(follower.changesSince(two.snapshot().revision)?.map((c) => c.name)).toEqual(['y']);
    } finally {
      await Promise.all([writer.stop(), follower.stop(), late.stop()]);
    }
  });
});

describe('a reader with nothing to serve yet', () => {
  it('waits (not ready) until the memory store is first filled', async () => {
    const store = new MemoryEndpointStore();
    expect(store.waiting()).toBe('the endpoint records are not loaded yet (waiting for the PrometheusCluster cache)');
    await store.replaceAll([]);
    expect(store.waiting()).toBeUndefined();
  });

  it('waits while Redis is down at start and while nothing is published, then serves what the writer publishes', async () => {
    const own = await startRedis();
    await own.kill();
    const reader = new RedisEndpointStore({ url: own.url });
    const writer = new RedisEndpointStore({ url: own.url });
    try {
      await expect(reader.start()).rejects.toThrow();
      expect(reader.waiting()).toMatch(/^no endpoint records loaded from Redis yet \(unreachable since .+\): not serving an empty list in their place$/);
      // Redis comes up empty: still nothing the writer published.
      await own.start();
      await eventually('the reader connected and loaded', () => reader.degraded() === undefined, 20_000);
      expect(reader.waiting()).toBe(
        'no endpoint records loaded from Redis yet (the hub has published nothing there yet): not serving an empty list in their place',
      );
      expect(reader.snapshot().items).toEqual([]);
      await writer.start();
      await writer.replaceAll([{ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.10') }]);
      await eventually('the published records loaded', () => reader.waiting() === undefined, 20_000);
      expect(reader.get('ns', 'cloud')?.endpoints).toEqual(a('192.0.2.10'));
      // Nothing published but no PrometheusCluster either is data too: an empty list, served.
      const empty = new RedisEndpointStore({ url: own.url, prefix: 'other:' });
      const emptyWriter = new RedisEndpointStore({ url: own.url, prefix: 'other:' });
      await Promise.all([empty.start(), emptyWriter.start()]);
      expect(empty.waiting()).toBeDefined();
      await emptyWriter.replaceAll([]);
      await eventually('an empty publish loaded', () => empty.waiting() === undefined);
      await Promise.all([empty.stop(), emptyWriter.stop()]);
    } finally {
      await writer.stop();
      await reader.stop();
      await own.dispose();
    }
  }, 60_000);
});

describe('Redis endpoint store across processes and outages', () => {
  it('lets readers follow a writer, serve their last snapshot while Redis is down, and catch up when it is back', async () => {
    const own = await startRedis();
    const writer = new RedisEndpointStore({
      url: own.url,
      onReconnect: () => void writer.replaceAll([{ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.20') }]),
    });
    const reader = new RedisEndpointStore({ url: own.url });
    try {
      await writer.start();
      await reader.start();
      await writer.put({ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.10') });
      await eventually('the reader sees the write', () => reader.get('ns', 'cloud')?.endpoints[0]?.targets[0] === '192.0.2.10');
      const before = reader.snapshot().revision;
      expect(reader.degraded()).toBeUndefined();
      expect(reader.waiting()).toBeUndefined();

      await own.kill();
      await eventually('degraded', () => reader.degraded() !== undefined);
      expect(reader.degraded()).toContain('serving the last snapshot');
      // Down after it had data: still ready, serving what it had.
      expect(reader.waiting()).toBeUndefined();
      expect(reader.get('ns', 'cloud')?.endpoints[0]?.targets[0]).toBe('192.0.2.10');
      await expect(writer.put({ namespace: 'ns', name: 'cloud', endpoints: a('192.0.2.30') })).rejects.toThrow();

      // Back empty (no persistence): the writer republishes, and the reader serves the new content.
      await own.start();
      await eventually('the republished data', () => reader.get('ns', 'cloud')?.endpoints[0]?.targets[0] === '192.0.2.20', 20_000);
      expect(reader.snapshot().revision).not.toBe(before);
      expect(reader.snapshot().revision).toBe(writer.snapshot().revision);
      await eventually('healthy again', () => reader.degraded() === undefined);
    } finally {
      await writer.stop();
      await reader.stop();
      await own.dispose();
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
      await raw.hset(
        'promfleet:endpoints',
        'ns/injected',
        JSON.stringify([{ dnsName: 'query.example.com', recordType: 'A', targets: ['192.0.2.1\nevil.example.com. 30 IN A 203.0.113.66'], ttl: 30 }]),
      );
      await raw.hset('promfleet:endpoints', 'Not A Key', JSON.stringify(a('192.0.2.11')));
      // Well-formed records that do not go together: a set identifier no DNS provider takes without a routing policy.
      await raw.hset(
        'promfleet:endpoints',
        'ns/incoherent',
        JSON.stringify([{ dnsName: 'query.example.com', recordType: 'CNAME', targets: ['lb.example.net'], ttl: 30, setIdentifier: 'eu-west' }]),
      );
      await reader.start();
      expect(reader.snapshot().items.map((set) => `${set.namespace}/${set.name}`)).toEqual(['ns/good']);
      expect(reader.degraded()).toBe(
        'Redis holds 4 invalid endpoint entries, not served (a key that is not namespace/name, ns/incoherent, ns/injected, ns/not-json); the others are',
      );
      const text = await metrics.registry.metrics();
      expect(parseMetricsText(text, ['promfleet_endpoint_store_invalid_entries'])[0]?.value).toBe(4);
      expect(parseMetricsText(text, ['promfleet_endpoint_store_invalid_entries_total']).find((s) => s.labels.kind === 'entry')?.value).toBe(4);
      expect(text).not.toContain('evil.example.com');

      // A change message nobody could have sent is counted, and the reader reloads from the hash.
      await raw.publish('promfleet:endpoints:changes', 'not json at all');
      await eventuallyAsync(
        'the message counted',
        async () =>
          parseMetricsText(await metrics.registry.metrics(), ['promfleet_endpoint_store_invalid_entries_total']).find((s) => s.labels.kind === 'message')
            ?.value === 1,
      );
      // Good writes keep flowing, and a good write over a bad entry serves it again.
      await writer.put({ namespace: 'ns', name: 'injected', endpoints: a('192.0.2.12') });
      await eventually('the repaired entry served', () => reader.get('ns', 'injected')?.endpoints[0]?.targets[0] === '192.0.2.12');
      expect(reader.degraded()).toBe(
        'Redis holds 3 invalid endpoint entries, not served (a key that is not namespace/name, ns/incoherent, ns/not-json); the others are',
      );
      expect(reader.get('ns', 'good')?.endpoints).toEqual(a('192.0.2.10'));
    } finally {
      raw.disconnect();
      await writer.stop();
      await reader.stop();
      await own.dispose();
    }
  }, 60_000);
});
