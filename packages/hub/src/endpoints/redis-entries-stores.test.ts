import { describe, expect, it } from 'vitest';

import { readEntry, readMessage } from './redis-entries.ts';
import { encodeSet } from './store.ts';

const records = [{ dnsName: 'query.example.com', recordType: 'A' as const, targets: ['192.0.2.10'], ttl: 30 }];
const stores = [{ member: 'eu-west', address: '192.0.2.20:10901' }];

describe('Redis entries with StoreAPI endpoints', () => {
  it('stores a set without them exactly as before (its records alone), and with them as {endpoints, stores}', () => {
    expect(JSON.parse(encodeSet({ endpoints: records }))).toEqual(records);
    expect(JSON.parse(encodeSet({ endpoints: records, stores }))).toEqual({ endpoints: records, stores });
  });

  it('reads back both forms, from entries and from change messages', () => {
    expect(readEntry('platform/cloud', encodeSet({ endpoints: records }))).toEqual({ namespace: 'platform', name: 'cloud', endpoints: records });
    expect(readEntry('platform/cloud', encodeSet({ endpoints: records, stores }))).toEqual({
      namespace: 'platform',
      name: 'cloud',
      endpoints: records,
      stores,
    });
    const message = readMessage(`{"revision":3,"key":"platform/cloud","endpoints":${encodeSet({ endpoints: [], stores })}}`);
    expect(message).toMatchObject({ revision: 3, namespace: 'platform', name: 'cloud', endpoints: [], stores });
    expect(readMessage('{"revision":4,"key":"platform/cloud","endpoints":null}')).toMatchObject({ endpoints: null });
  });

  it('skips what the hub could not have written: a target that is not host:port, an unknown field', () => {
    expect(
      readEntry('platform/cloud', JSON.stringify({ endpoints: records, stores: [{ member: 'x', address: '192.0.2.20:10901\n- targets: [evil:1]' }] })),
    ).toBeUndefined();
    expect(readEntry('platform/cloud', JSON.stringify({ endpoints: records, stores, extra: 1 }))).toBeUndefined();
    expect(readMessage(`{"revision":3,"key":"platform/cloud","endpoints":{"endpoints":[],"stores":[{"member":"x","address":"no-port"}]}}`)).toBeUndefined();
  });
});
