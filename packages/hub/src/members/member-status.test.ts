import type { MemberCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { memberStatus, offlineDeadline, reachability, type MemberHealth } from './member-status.ts';
import type { ProbeResult } from './probe.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const timings = { offlineAfterMs: 40_000, expiringWithinMs: 7 * 86_400_000, heartbeatMs: 300_000 };
const member = (status?: MemberCluster['status']): MemberCluster => ({
  apiVersion: 'promfleet.io/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name: 'eu-west', generation: 1 },
  spec: { kubeconfigSecretRef: { name: 's', namespace: 'promfleet-system', key: 'kubeconfig' }, namespace: 'monitoring' },
  ...(status ? { status } : {}),
});
const ok = (at: Date, extra: Partial<ProbeResult> = {}): ProbeResult => ({
  at,
  ok: true,
  kubernetesVersion: 'v1.30.2',
  excess: [],
  clusterWide: false,
  ...extra,
});
const down = (at: Date): ProbeResult => ({ at, ok: false, problem: { reason: 'Unreachable', message: 'connect ECONNREFUSED' } });
const health = (lastSuccess: ProbeResult | undefined, last: ProbeResult | undefined, expiresAt?: Date): MemberHealth => ({
  connectedSince: t(0),
  lastSuccess,
  last,
  expiresAt,
});
const condition = (status: ReturnType<typeof memberStatus>, type: string) => status.conditions?.find((c) => c.type === type);

describe('member health', () => {
  it('is Ready and Scoped after a good probe, with version and probe time', () => {
    const status = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Reachable' });
    expect(condition(status, 'CredentialScoped')).toMatchObject({ status: 'True', reason: 'Scoped' });
    expect(condition(status, 'CredentialExpiring')).toMatchObject({ status: 'False', reason: 'NoExpiry' });
    expect(status).toMatchObject({ kubernetesVersion: 'v1.30.2', lastProbeTime: '2026-01-01T00:00:01Z' });
  });

  it('stays Ready through failures for offline-after, then turns Offline, and knows when', () => {
    const within = health(ok(t(1)), down(t(30)));
    expect(reachability(within, undefined, t(40), 40_000).state).toBe('ready');
    expect(offlineDeadline(within, 40_000)).toEqual(t(41));
    const status = memberStatus(member(), undefined, within, t(42), timings);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'Offline' });
    expect(condition(status, 'Ready')?.message).toContain('no successful probe since 2026-01-01T00:00:01Z: connect ECONNREFUSED');
  });

  it('turns a member that never answered Offline after offline-after from connecting', () => {
    expect(reachability(health(undefined, down(t(5))), undefined, t(10), 40_000).state).toBe('unknown');
    expect(reachability(health(undefined, down(t(45))), undefined, t(45), 40_000).state).toBe('offline');
  });

  it('flags an over-privileged credential with what it can do', () => {
    const status = memberStatus(member(), undefined, health(ok(t(1), { excess: ['get secrets'], clusterWide: true }), ok(t(1))), t(2), timings);
    expect(condition(status, 'CredentialScoped')).toMatchObject({
      status: 'False',
      reason: 'OverPrivileged',
      message: 'the credential can do more than manage prometheusreplicas: get secrets, list prometheusreplicas in every namespace',
    });
  });

  it('does not call a credential scoped when its rules review is incomplete', () => {
    const unverifiable = "the member's authorizer could not list every rule of the credential (incomplete rules review)";
    const status = memberStatus(member(), undefined, health(ok(t(1), { excess: [], unverifiable }), ok(t(1))), t(2), timings);
    expect(condition(status, 'CredentialScoped')).toMatchObject({
      status: 'Unknown',
      reason: 'ScopeUnverifiable',
      message: `${unverifiable}, so its scope cannot be proven; nothing beyond its Role was found`,
    });
    // What a complete review shows still wins.
    const over = memberStatus(member(), undefined, health(ok(t(1), { excess: ['get /metrics'], unverifiable }), ok(t(1))), t(2), timings);
    expect(condition(over, 'CredentialScoped')).toMatchObject({
      status: 'False',
      reason: 'OverPrivileged',
      message: 'the credential can do more than manage prometheusreplicas: get /metrics',
    });
  });

  it('reports unauthorized and expired credentials at once, without grace', () => {
    const revoked: ProbeResult = { at: t(5), ok: false, problem: { reason: 'Unauthorized', message: 'may not list' } };
    expect(condition(memberStatus(member(), undefined, health(ok(t(1)), revoked), t(6), timings), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Unauthorized',
    });
  });

  it('warns seven days before the credential expires', () => {
    const soon = new Date(t(0).getTime() + 3 * 86_400_000);
    const status = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1)), soon), t(2), timings);
    expect(condition(status, 'CredentialExpiring')).toMatchObject({ status: 'True', reason: 'Expiring' });
    expect(status.credentialExpiresAt).toBe('2026-01-04T00:00:00Z');
  });

  it('reports a credential problem on Ready with its reason', () => {
    const status = memberStatus(member(), { reason: 'KubeconfigInvalid', message: 'not YAML' }, undefined, t(2), timings);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'KubeconfigInvalid', message: 'not YAML' });
  });

  it('writes lastProbeTime only on a change or after the heartbeat interval', () => {
    const first = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    const steady = memberStatus(member(first), undefined, health(ok(t(11)), ok(t(11))), t(12), timings);
    expect(steady.lastProbeTime).toBe(first.lastProbeTime);
    expect(steady).toEqual(first);
    const later = new Date(t(1).getTime() + 301_000);
    expect(memberStatus(member(first), undefined, health(ok(later), ok(later)), later, timings).lastProbeTime).toBe('2026-01-01T00:05:02Z');
  });

  it('sees no change in conditions read back from the API server with their keys in its order', () => {
    const first = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    const sortedKeys = (first.conditions ?? []).map((c) => Object.fromEntries(Object.entries(c).sort(([a], [b]) => a.localeCompare(b))) as typeof c);
    const steady = memberStatus(member({ ...first, conditions: sortedKeys }), undefined, health(ok(t(11)), ok(t(11))), t(12), timings);
    expect(steady.lastProbeTime).toBe(first.lastProbeTime);
  });
});
