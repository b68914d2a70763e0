import type { MemberCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { heartbeatDueAt, heartbeatInMs, memberStatus, reachability, type MemberHealth } from './member-status.ts';
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
  kind: 'review',
  ok: true,
  kubernetesVersion: 'v1.30.2',
  excess: [],
  clusterWide: false,
  ...extra,
});
const down = (at: Date): ProbeResult => ({ at, kind: 'probe', ok: false, problem: { reason: 'Unreachable', message: 'connect ECONNREFUSED' } });
/**
 * A connection whose last review is `review`, last probe `last`, last heard from at `contact` (by
 * default the review's time); a failed `last` has failed twice in a row unless `failedInARow` says.
 */
const health = (
  review: ProbeResult | undefined,
  last: ProbeResult | undefined,
  expiresAt?: Date,
  contact = review?.at,
  failedInARow = last && !last.ok ? 2 : 0,
): MemberHealth => ({
  connectedSince: t(0),
  lastContact: contact,
  review,
  last,
  failedInARow,
  expiresAt,
});
const condition = (status: ReturnType<typeof memberStatus>, type: string) => status.conditions?.find((c) => c.type === type);

describe('member health', () => {
  it('is Ready and Scoped after a good review, with version and last sign of life', () => {
    const status = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Reachable' });
    expect(condition(status, 'CredentialScoped')).toMatchObject({ status: 'True', reason: 'Scoped' });
    expect(condition(status, 'CredentialExpiring')).toMatchObject({ status: 'False', reason: 'NoExpiry' });
    expect(status).toMatchObject({ kubernetesVersion: 'v1.30.2', lastProbeTime: '2026-01-01T00:00:01Z' });
  });

  it('stays Ready through failed probes for offline-after from the last sign of life, then turns Offline', () => {
    const within = health(ok(t(1)), down(t(30)));
    expect(reachability(within, undefined, t(40), 40_000).state).toBe('ready');
    expect(reachability(within, undefined, t(41), 40_000)).toMatchObject({ state: 'offline', lastSeen: '2026-01-01T00:00:01Z' });
    const status = memberStatus(member(), undefined, within, t(42), timings);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'Offline' });
    expect(condition(status, 'Ready')?.message).toContain('no sign of life since 2026-01-01T00:00:01Z: connect ECONNREFUSED');
  });

  it('is Ready for being Reachable when a member comes back from Offline before its next probe', () => {
    // Offline at 42 s; at 50 s its watch answers again, and the last probe (30 s) is still the failed one.
    const offline = memberStatus(member(), undefined, health(ok(t(1)), down(t(30))), t(42), timings);
    expect(condition(offline, 'Ready')).toMatchObject({ status: 'False', reason: 'Offline' });
    const back = memberStatus(member(offline), undefined, health(ok(t(1)), down(t(30)), undefined, t(50)), t(51), timings);
    expect(condition(back, 'Ready')).toMatchObject({ status: 'True', reason: 'Reachable' });
    expect(condition(back, 'Ready')?.message).toBe('probe failed, Offline if it keeps failing: connect ECONNREFUSED');
  });

  it('shows an unanswered probe once its retry went unanswered too, and any other problem at once', () => {
    const steady = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    // One probe lost (timed out, refused): nothing to write, the member answered 1 s before.
    const once = memberStatus(member(steady), undefined, health(ok(t(1)), down(t(30)), undefined, t(29), 1), t(31), timings);
    expect(once).toEqual(steady);
    const twice = memberStatus(member(steady), undefined, health(ok(t(1)), down(t(32)), undefined, t(29), 2), t(33), timings);
    expect(condition(twice, 'Ready')).toMatchObject({ status: 'True', message: 'probe failed, Offline if it keeps failing: connect ECONNREFUSED' });
    const refused: ProbeResult = { at: t(30), kind: 'probe', ok: false, problem: { reason: 'Unauthorized', message: '401 Unauthorized' } };
    const unauthorized = memberStatus(member(steady), undefined, health(ok(t(1)), refused, undefined, t(29), 1), t(31), timings);
    expect(condition(unauthorized, 'Ready')).toMatchObject({ status: 'False', reason: 'Unauthorized' });
  });

  it('counts any contact as a sign of life: a member whose watch answers stays Ready without a probe', () => {
    // Reviewed at 1 s, never probed since, heard from through its watch at 50 s.
    const watched = health(ok(t(1)), ok(t(1)), undefined, t(50));
    expect(reachability(watched, undefined, t(80), 40_000).state).toBe('ready');
    expect(reachability(watched, undefined, t(90), 40_000)).toMatchObject({ state: 'offline', message: 'no sign of life since 2026-01-01T00:00:50Z' });
  });

  it('turns Offline even after a good probe when nothing was heard since: the last sign of life decides', () => {
    expect(reachability(health(ok(t(1)), ok(t(1))), undefined, t(41), 40_000).state).toBe('offline');
  });

  it('turns a member that never answered Offline after offline-after from connecting', () => {
    expect(reachability(health(undefined, down(t(5))), undefined, t(10), 40_000).state).toBe('unknown');
    expect(reachability(health(undefined, down(t(45))), undefined, t(45), 40_000).state).toBe('offline');
    // Heard from (its watch listed) but not yet reviewed: not Ready before the credential is proven.
    expect(reachability(health(undefined, undefined, undefined, t(5)), undefined, t(10), 40_000).state).toBe('unknown');
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
    const revoked: ProbeResult = { at: t(5), kind: 'probe', ok: false, problem: { reason: 'Unauthorized', message: 'may not list' } };
    // Even while its open watch still delivers.
    expect(condition(memberStatus(member(), undefined, health(ok(t(1)), revoked, undefined, t(6)), t(6), timings), 'Ready')).toMatchObject({
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

  it('writes lastProbeTime (the last sign of life) only on a change or once its heartbeat is due, and says when to look again', () => {
    const first = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    const due = heartbeatDueAt('eu-west', first.lastProbeTime ?? '', timings.heartbeatMs);
    // The member's slot, at least half an interval after the recorded sign of life.
    expect(due - t(1).getTime()).toBeGreaterThanOrEqual(150_000);
    expect(due - t(1).getTime()).toBeLessThan(450_000);
    expect(heartbeatInMs('eu-west', first, t(2), timings.heartbeatMs)).toBe(due - t(2).getTime());
    const steady = memberStatus(member(first), undefined, health(ok(t(1)), ok(t(1)), undefined, t(11)), t(12), timings);
    expect(steady.lastProbeTime).toBe(first.lastProbeTime);
    expect(steady).toEqual(first);
    const early = memberStatus(member(first), undefined, health(ok(t(1)), ok(t(1)), undefined, new Date(due - 5_000)), new Date(due - 1), timings);
    expect(early.lastProbeTime).toBe(first.lastProbeTime);
    const atDue = new Date(due);
    const beat = memberStatus(member(first), undefined, health(ok(t(1)), ok(t(1)), undefined, new Date(due - 5_000)), atDue, timings);
    expect(beat.lastProbeTime).toBe(new Date(Math.floor((due - 5_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    // From then on every interval, at the same slot: the last sign of life comes a little before it.
    expect(heartbeatDueAt('eu-west', beat.lastProbeTime ?? '', timings.heartbeatMs)).toBe(due + timings.heartbeatMs);
    expect(heartbeatInMs('eu-west', beat, atDue, timings.heartbeatMs)).toBe(timings.heartbeatMs);
  });

  it('spreads the heartbeats of members heard from at the same census evenly over an interval', () => {
    const census = '2026-01-01T00:00:00Z';
    const dues = Array.from(
      { length: 1000 },
      (_, i) => heartbeatDueAt(`member-${String(i).padStart(4, '0')}`, census, timings.heartbeatMs) - Date.parse(census),
    );
    expect(Math.min(...dues)).toBeGreaterThanOrEqual(150_000);
    expect(Math.max(...dues)).toBeLessThan(450_000);
    // A thousand writes over five minutes, about 17 in each 5 s: none holds more than twice that.
    const perFiveSeconds = new Map<number, number>();
    for (const due of dues) perFiveSeconds.set(Math.floor(due / 5000), (perFiveSeconds.get(Math.floor(due / 5000)) ?? 0) + 1);
    expect(perFiveSeconds.size).toBeGreaterThanOrEqual(58);
    expect(Math.max(...perFiveSeconds.values())).toBeLessThan(34);
  });

  it('sees no change in conditions read back from the API server with their keys in its order', () => {
    const first = memberStatus(member(), undefined, health(ok(t(1)), ok(t(1))), t(2), timings);
    const sortedKeys = (first.conditions ?? []).map((c) => Object.fromEntries(Object.entries(c).sort(([a], [b]) => a.localeCompare(b))) as typeof c);
    const steady = memberStatus(member({ ...first, conditions: sortedKeys }), undefined, health(ok(t(11)), ok(t(11))), t(12), timings);
    expect(steady.lastProbeTime).toBe(first.lastProbeTime);
  });
});
