import { describe, expect, it } from 'vitest';

import { nodeAddress, PodAddressPool, podAddress } from './addresses.ts';

describe('pod and node addresses', () => {
  it('puts a cluster index in the third octet', () => {
    expect(nodeAddress(2)).toBe('10.240.2.1');
    expect(podAddress(2, 0)).toBe('10.244.2.1');
    expect(podAddress(2, 253)).toBe('10.244.2.254');
    expect(podAddress(2, 254)).toBe('10.245.2.1');
  });

  it('rejects indexes and slots it has no addresses for', () => {
    expect(() => podAddress(256, 0)).toThrow(/cluster index/);
    expect(() => podAddress(0, 254 * 12)).toThrow(/out of range/);
  });
});

describe('PodAddressPool', () => {
  it('hands out the lowest free address, skipping those pods report', () => {
    const pool = new PodAddressPool(1);
    expect(pool.assign('ns/a', new Set())).toBe('10.244.1.1');
    expect(pool.assign('ns/b', new Set(['10.244.1.2']))).toBe('10.244.1.3');
    expect(pool.assign('ns/a', new Set())).toBe('10.244.1.1');
  });

  it('reuses an address once released', () => {
    const pool = new PodAddressPool(0);
    pool.assign('ns/a', new Set());
    pool.assign('ns/b', new Set());
    pool.release('ns/a');
    expect(pool.assign('ns/c', new Set(['10.244.0.2']))).toBe('10.244.0.1');
  });
});
