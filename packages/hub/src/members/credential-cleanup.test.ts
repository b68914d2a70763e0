import type { ISecret } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { isJoinCredential } from './credential-cleanup.ts';

const secret = (labels: Record<string, string>): ISecret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'member-eu-west', namespace: 'promfleet-system', labels },
});

describe('isJoinCredential', () => {
  it('is the Secret promfleet join stored for this member, and only that', () => {
    expect(isJoinCredential(secret({ 'app.kubernetes.io/managed-by': 'promfleet-cli', 'promfleet.io/member': 'eu-west' }), 'eu-west')).toBe(true);
  });

  it("never a user's Secret bound to the member by hand, nor join's Secret of another member", () => {
    expect(isJoinCredential(secret({ 'promfleet.io/member': 'eu-west' }), 'eu-west')).toBe(false);
    expect(isJoinCredential(secret({ 'app.kubernetes.io/managed-by': 'Helm', 'promfleet.io/member': 'eu-west' }), 'eu-west')).toBe(false);
    expect(isJoinCredential(secret({ 'app.kubernetes.io/managed-by': 'promfleet-cli', 'promfleet.io/member': 'us-east' }), 'eu-west')).toBe(false);
    expect(isJoinCredential(undefined, 'eu-west')).toBe(false);
  });
});
