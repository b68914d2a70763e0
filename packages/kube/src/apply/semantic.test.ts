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
});
