import { parseFlags } from '@promfleet/kube/flags';
import { describe, expect, it } from 'vitest';

import { HUB_FLAGS, memberTimingError, shardingError } from './flags.ts';

const timing = (...argv: string[]) => memberTimingError(parseFlags(HUB_FLAGS, argv, {}).flags);

describe('member timing flags', () => {
  it('accept the defaults: a quiet member is probed before it could go Offline, reviewed every 30 min', () => {
    const { flags } = parseFlags(HUB_FLAGS, [], {});
    expect([flags['member-probe-interval'], flags['member-review-interval'], flags['member-offline-after']]).toEqual([35_000, 1_800_000, 40_000]);
    expect(timing()).toBeUndefined();
  });

  it('refuse a probe interval at or above offline-after, naming both flags', () => {
    expect(timing('--member-probe-interval=40s')).toBe(
      '--member-probe-interval (40s) must be below --member-offline-after (40s): a healthy but quiet member would go Offline between two probes',
    );
    expect(timing('--member-probe-interval=10s', '--member-offline-after=5s')).toMatch(
      /^--member-probe-interval \(10s\) must be below --member-offline-after \(5s\)/,
    );
    expect(timing('--member-probe-interval=0s')).toBe('--member-probe-interval must be above 0');
  });

  it('refuse a review interval below the probe interval', () => {
    expect(timing('--member-review-interval=10s')).toBe('--member-review-interval (10s) must be at least --member-probe-interval (35s)');
    expect(timing('--member-probe-interval=2s', '--member-review-interval=2s', '--member-offline-after=6s')).toBeUndefined();
  });
});

describe('sharding flags', () => {
  const sharding = (...argv: string[]) => shardingError(parseFlags(HUB_FLAGS, argv, {}).flags);

  it('accept the defaults, and 0 (never shard; shard every cluster)', () => {
    const { flags } = parseFlags(HUB_FLAGS, [], {});
    expect([flags['unsharded-members'], flags['members-per-shard']]).toEqual([100, 12]);
    expect(sharding()).toBeUndefined();
    expect(sharding('--members-per-shard=0', '--unsharded-members=0')).toBeUndefined();
  });

  it('refuse a negative count, naming the flag', () => {
    expect(sharding('--unsharded-members=-1')).toBe('--unsharded-members must be 0 or more, not -1');
    expect(sharding('--members-per-shard=-25')).toBe('--members-per-shard must be 0 or more, not -25');
  });
});
