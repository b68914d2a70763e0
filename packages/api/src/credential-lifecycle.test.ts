import { describe, expect, it } from 'vitest';

import { CREDENTIAL_LIFECYCLE } from './constants.ts';

describe('CREDENTIAL_LIFECYCLE', () => {
  const { tokenTTLDays, renewWithinDays, expiringWithinDays, joinIntervalDays } = CREDENTIAL_LIFECYCLE;

  it('renews every token before the hub warns, when join runs at the stated interval', () => {
    // The least a renewed token has left is renewWithinDays - joinIntervalDays.
    expect(renewWithinDays - joinIntervalDays).toBeGreaterThan(expiringWithinDays);
  });

  it('issues tokens that outlive the renewal window by more than one interval, so a run renews only when due', () => {
    expect(tokenTTLDays - renewWithinDays).toBeGreaterThan(joinIntervalDays);
  });
});
