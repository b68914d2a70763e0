import type { DNSRecord, StoreEndpoint } from '@promfleet/api';
import { canonicalJSON } from '@promfleet/kube/apply';
import { describe, expect, it } from 'vitest';

import { canonicalArray, jsonArray } from './object-json.ts';
import { encodeSet, type EndpointChange } from './store.ts';
import { changeJSON, projectChange } from './views.ts';

const weighted = (member: string, target: string): DNSRecord => ({
  dnsName: 'query.example.com',
  recordType: 'A',
  targets: [target],
  ttl: 60,
  setIdentifier: member,
  routingPolicy: 'weighted',
  weight: 1,
});
// Keys out of order, as a record parsed from elsewhere may have them.
const unsorted = { ttl: 30, targets: ['10.0.0.9'], recordType: 'A', dnsName: 'query.example.com' } as DNSRecord;
const records = [weighted('eu-1', '10.0.0.1'), unsorted, weighted('us-1', '10.0.0.2')];
// The second with its keys out of order.
const stores: StoreEndpoint[] = [
  { member: 'eu-1', address: 'eu-1.example.com:10901' },
  { address: 'us-1.example.com:10901', member: 'us-1' },
];

describe('kept JSON texts', () => {
  it('write what canonicalJSON and JSON.stringify write, whole', () => {
    expect(canonicalArray(records)).toBe(canonicalJSON(records));
    expect(jsonArray(records)).toBe(JSON.stringify(records));
    expect(canonicalArray([])).toBe('[]');
  });

  it('write each object once, and a new object anew', () => {
    const record = weighted('eu-2', '10.0.0.3');
    const first = canonicalArray([record]);
    expect(canonicalArray([record])).toBe(first);
    // A changed member's record is a new object: its own text, not the old one's.
    expect(canonicalArray([weighted('eu-2', '10.0.0.4')])).toBe(canonicalJSON([weighted('eu-2', '10.0.0.4')]));
    expect(canonicalArray([weighted('eu-2', '10.0.0.4')])).not.toBe(first);
  });

  it('leave the set encoding as it was: the revision and the Redis entries do not change', () => {
    expect(encodeSet({ endpoints: records })).toBe(canonicalJSON(records));
    expect(encodeSet({ endpoints: records, stores })).toBe(canonicalJSON({ endpoints: records, stores }));
    expect(encodeSet({ endpoints: [], stores: [] })).toBe(canonicalJSON({ endpoints: [], stores: [] }));
  });

  it('leave a watcher’s change event as it was, in both views', () => {
    const change: EndpointChange = { revision: 'abc', namespace: 'platform', name: 'cloud', endpoints: records, stores };
    const removed: EndpointChange = { revision: 'def', namespace: 'platform', name: 'cloud', endpoints: null };
    for (const view of ['endpoints', 'stores'] as const) {
      expect(changeJSON(change, view)).toBe(JSON.stringify(projectChange(change, view)));
      expect(changeJSON(removed, view)).toBe(JSON.stringify(projectChange(removed, view)));
    }
    expect(JSON.parse(changeJSON(change, 'endpoints'))).toEqual({ revision: 'abc', namespace: 'platform', name: 'cloud', endpoints: records });
  });
});
