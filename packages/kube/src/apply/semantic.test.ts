import { describe, expect, it } from 'vitest';

import { canonicalJSON, isSubset, semanticEqual } from './semantic.ts';

describe('isSubset', () => {
  it('ignores fields only the live object has', () => {
    expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 2, revisionHistoryLimit: 10 }, status: {} })).toBe(true);
  });

  it('sees a changed or missing field', () => {
    expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 3 } })).toBe(false);
    expect(isSubset({ metadata: { labels: { a: 'b' } } }, { metadata: {} })).toBe(false);
  });

  it('takes a zero value the server left out (omitempty) as stated, but not a different one', () => {
    expect(isSubset({ spec: { clusterIP: 'None', publishNotReadyAddresses: false } }, { spec: { clusterIP: 'None' } })).toBe(true);
    expect(isSubset({ a: 0, b: '' }, {})).toBe(true);
    expect(isSubset({ spec: { publishNotReadyAddresses: true } }, { spec: {} })).toBe(false);
    expect(isSubset({ spec: { publishNotReadyAddresses: false } }, { spec: { publishNotReadyAddresses: true } })).toBe(false);
  });

  it('compares arrays element by element, with the same length', () => {
    expect(isSubset({ c: [{ name: 'a' }] }, { c: [{ name: 'a', image: 'x' }] })).toBe(true);
    expect(isSubset({ c: [{ name: 'a' }] }, { c: [{ name: 'a' }, { name: 'b' }] })).toBe(false);
    expect(isSubset({ c: ['a', 'b'] }, { c: ['b', 'a'] })).toBe(false);
  });

  it('treats a number and its decimal string as the same quantity', () => {
    expect(isSubset({ cpu: 1 }, { cpu: '1' })).toBe(true);
    expect(isSubset({ cpu: 1 }, { cpu: '1000m' })).toBe(false);
  });
});

describe('semanticEqual', () => {
  it('is symmetric and ignores undefined fields', () => {
    expect(semanticEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(semanticEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('takes a part both sides share as equal without reading it, and still compares the rest', () => {
    // A status composed anew shares its unchanged members' entries with the one it replaces.
    const unreadable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('read a shared part');
        },
        ownKeys: () => {
          throw new Error('read a shared part');
        },
      },
    );
    expect(semanticEqual({ clusters: [unreadable, { name: 'b' }] }, { clusters: [unreadable, { name: 'b' }] })).toBe(true);
    expect(semanticEqual({ clusters: [unreadable, { name: 'b' }] }, { clusters: [unreadable, { name: 'c' }] })).toBe(false);
  });
});

describe('canonicalJSON', () => {
  it('does not depend on key order', () => {
    expect(canonicalJSON({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJSON({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
    expect(canonicalJSON({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('is JSON of the same value, keys sorted at every depth, undefined as JSON.stringify has it', () => {
    const value = { spec: { z: 'x"y', a: [3, undefined, { b: true, a: 1.5 }], m: {} }, kind: 'K', '10': 1, '9': 2 };
    const text = canonicalJSON(value);
    expect(text).toBe('{"9":2,"10":1,"kind":"K","spec":{"a":[3,null,{"a":1.5,"b":true}],"m":{},"z":"x\\"y"}}');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJSON(undefined)).toBe('null');
    expect(canonicalJSON('a')).toBe('"a"');
  });

  it('sorts objects out of order inside ones in order, and leaves its input as it was', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object') for (const item of Object.values(value)) deepFreeze(item);
      return Object.freeze(value);
    };
    // In order outside (as the API server writes objects), out of order inside (as code builds them).
    const value = deepFreeze({
      a: [
        { dnsName: 'x', targets: ['1.2.3.4'], recordType: 'A' },
        { a: 1, b: 2 },
      ],
      b: { y: 1, x: { d: 1, c: 2 } },
    });
    expect(canonicalJSON(value)).toBe('{"a":[{"dnsName":"x","recordType":"A","targets":["1.2.3.4"]},{"a":1,"b":2}],"b":{"x":{"c":2,"d":1},"y":1}}');
    expect(value.b).toEqual({ y: 1, x: { d: 1, c: 2 } });
    expect(Object.keys(value.b)).toEqual(['y', 'x']);
  });
});
