import { describe, expect, it } from 'vitest';

import { baseDomainClaim, type Claimant } from './base-domain.ts';

const claimant = (key: string, creationTimestamp: string, deletionTimestamp?: string): Claimant => {
  const [namespace = '', name = ''] = key.split('/');
  return { metadata: { namespace, name, creationTimestamp, ...(deletionTimestamp ? { deletionTimestamp } : {}) } };
};

describe('baseDomainClaim', () => {
  const oldest = claimant('platform/live', '2026-01-01T00:00:00Z');
  const newcomer = claimant('team-x/squatter', '2026-02-01T00:00:00Z');

  it('lets the oldest claimant hold the names, whoever asks', () => {
    expect(baseDomainClaim(oldest, [oldest, newcomer])).toEqual({ heldBy: undefined, newer: ['team-x/squatter'] });
    expect(baseDomainClaim(newcomer, [oldest, newcomer])).toEqual({ heldBy: 'platform/live', newer: [] });
  });

  it('breaks a tie of creation times by namespace/name', () => {
    const a = claimant('a/one', '2026-01-01T00:00:00Z');
    const b = claimant('b/one', '2026-01-01T00:00:00Z');
    expect(baseDomainClaim(b, [a, b]).heldBy).toBe('a/one');
    expect(baseDomainClaim(a, [b, a]).heldBy).toBeUndefined();
  });

  it('hands the names on when the holder is being deleted', () => {
    const leaving = claimant('platform/live', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(baseDomainClaim(newcomer, [leaving, newcomer])).toEqual({ heldBy: undefined, newer: [] });
  });

  it('holds alone when nobody else claims', () => {
    expect(baseDomainClaim(oldest, [oldest])).toEqual({ heldBy: undefined, newer: [] });
  });
});
