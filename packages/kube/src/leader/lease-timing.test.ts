import { describe, expect, it } from 'vitest';

import { parseFlags } from '../flags/flags.ts';
import { LEASE_TIMING_FLAGS, leaseTiming } from './lease-timing.ts';

const timing = (...argv: string[]) => leaseTiming(parseFlags(LEASE_TIMING_FLAGS, argv, {}).flags);

describe('leaseTiming', () => {
  it("defaults to client-go's 15 s lease and 10 s renew deadline", () => {
    expect(timing()).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000 });
  });

  it('takes longer timings that ride out a longer API server outage', () => {
    expect(timing('--leader-elect-lease-duration=1m', '--leader-elect-renew-deadline=45s')).toEqual({ leaseDurationMs: 60_000, renewDeadlineMs: 45_000 });
  });

  it('refuses a renew deadline that is not less than the lease duration', () => {
    expect(timing('--leader-elect-lease-duration=10s', '--leader-elect-renew-deadline=10s')).toEqual({
      error: '--leader-elect-renew-deadline must be less than --leader-elect-lease-duration',
    });
  });

  it('refuses a renew deadline shorter than a jittered retry', () => {
    expect(timing('--leader-elect-renew-deadline=2s')).toEqual({
      error: '--leader-elect-renew-deadline must be at least 3s (the retry period is 2s, jittered)',
    });
  });
});
