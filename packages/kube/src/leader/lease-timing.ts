import type { FlagSpec } from '../flags/flags.ts';

/**
 * The Lease timings as flags, named as kube-controller-manager names them. The defaults are
 * client-go's; a longer renew deadline lets a leader ride out a longer API server outage (it
 * stops writing, and exits, only after the deadline) at the price of a slower failover.
 */
export const LEASE_TIMING_FLAGS = {
  'leader-elect-lease-duration': {
    type: 'duration',
    description: 'How long standbys wait after the last renewal before taking the Lease over.',
    default: '15s',
  },
  'leader-elect-renew-deadline': {
    type: 'duration',
    description: 'How long the leader keeps trying to renew before it stops writing and exits (less than the lease duration).',
    default: '10s',
  },
} as const satisfies Record<string, FlagSpec>;

export interface LeaseTiming {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
}

/** The timings from parsed flags, or why they cannot work together. */
export function leaseTiming(flags: { 'leader-elect-lease-duration': number; 'leader-elect-renew-deadline': number }): LeaseTiming | { readonly error: string } {
  const leaseDurationMs = flags['leader-elect-lease-duration'];
  const renewDeadlineMs = flags['leader-elect-renew-deadline'];
  // client-go refuses the same: a leader renewing after the lease expired could share it.
  if (renewDeadlineMs >= leaseDurationMs) return { error: '--leader-elect-renew-deadline must be less than --leader-elect-lease-duration' };
  // And the deadline must leave room for more than one jittered 2 s retry.
  if (renewDeadlineMs < 3_000) return { error: '--leader-elect-renew-deadline must be at least 3s (the retry period is 2s, jittered)' };
  return { leaseDurationMs, renewDeadlineMs };
}
