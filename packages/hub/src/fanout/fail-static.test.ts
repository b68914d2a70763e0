import type { DNSRecord, MemberEntry } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { buildRecords } from './dns-records.ts';
import { dnsTargets, memberReach, type DNSMember, type FailStaticInput, type MemberReach } from './fail-static.ts';
import type { MemberView } from './member-entry.ts';

const address = (i: number) => `192.0.2.${String(10 + i)}`;
const names = ['query.example.com'];

/** A member entry as the hub writes it: fresh and ready, fresh and not ready, or stale (last known). */
function member(i: number, reach: MemberReach, state: 'ready' | 'not-ready' | 'stale' = reach === 'unreachable' ? 'stale' : 'ready'): DNSMember {
  const entry: MemberEntry = {
    name: `m${String(i)}`,
    phase: state === 'stale' ? 'Offline' : state === 'ready' ? 'Running' : 'Pending',
    ready: state === 'ready',
    stale: state === 'stale',
    addresses: [address(i)],
  };
  return { entry, reach };
}

/** What was published when members `published` were in DNS. */
const records = (...published: number[]): DNSRecord[] =>
  published.length === 0 ? [] : [{ dnsName: names[0] ?? '', recordType: 'A', targets: published.map(address), ttl: 30 }];

function decide(members: DNSMember[], published: DNSRecord[], minHealthyPercent = 50, wasFailing = false) {
  const input: FailStaticInput = { members, published, minHealthyPercent, wasFailing };
  const decision = dnsTargets(input);
  const { records: built } = buildRecords(names, 30, 'none', decision.targets);
  return { ...decision, records: built, publishing: decision.targets.filter((t) => t.publishable).map((t) => t.member) };
}

describe('dnsTargets', () => {
  it('publishes reachable ready members and nothing is held while all are reachable', () => {
    const result = decide([member(0, 'reachable'), member(1, 'reachable')], records(0, 1));
    expect(result.publishing).toEqual(['m0', 'm1']);
    expect(result.failingStatic).toBeUndefined();
  });

  it('removes one unreachable member of two: 1 of 2 reachable is not below 50 %', () => {
    const result = decide([member(0, 'reachable'), member(1, 'unreachable')], records(0, 1));
    expect(result.publishing).toEqual(['m0']);
    expect(result.failingStatic).toBeUndefined();
    expect(result.records).toEqual(records(0));
  });

  it('holds every record when every published member is unreachable, and the records are the ones published', () => {
    const published = records(0, 1);
    const result = decide([member(0, 'unreachable'), member(1, 'unreachable')], published);
    expect(result.failingStatic).toEqual({ held: ['m0', 'm1'], reachable: 0, counted: 2, minHealthyPercent: 50 });
    expect(result.records).toEqual(published);
  });

  it('sees a cut whole: the first member Offline while the others only failed their last probe', () => {
    // m1 and m2 are still fresh and ready (in their grace period) but their probes fail.
    const result = decide([member(0, 'unreachable'), member(1, 'unreachable', 'ready'), member(2, 'unreachable', 'ready')], records(0, 1, 2));
    expect(result.failingStatic?.held).toEqual(['m0', 'm1', 'm2']);
    expect(result.records).toEqual(records(0, 1, 2));
  });

  it('does not fail static for failed probes alone: nothing would leave DNS', () => {
    const result = decide([member(0, 'unreachable', 'ready'), member(1, 'unreachable', 'ready'), member(2, 'reachable')], records(0, 1, 2));
    expect(result.failingStatic).toBeUndefined();
    expect(result.publishing).toEqual(['m0', 'm1', 'm2']);
  });

  it('holds a single published member that becomes unreachable', () => {
    const result = decide([member(0, 'unreachable')], records(0));
    expect(result.failingStatic?.held).toEqual(['m0']);
    expect(result.records).toEqual(records(0));
  });

  it('still removes a reachable member that reports not ready while it fails static', () => {
    const result = decide([member(0, 'reachable', 'not-ready'), member(1, 'unreachable'), member(2, 'unreachable')], records(0, 1, 2));
    expect(result.failingStatic?.held).toEqual(['m1', 'm2']);
    expect(result.publishing).toEqual(['m1', 'm2']);
  });

  it('adds a reachable member that becomes ready while it fails static', () => {
    const result = decide([member(0, 'reachable'), member(1, 'unreachable'), member(2, 'unreachable'), member(3, 'unreachable')], records(1, 2, 3));
    expect(result.records).toEqual(records(0, 1, 2, 3));
  });

  it('takes members one by one out of DNS as they die one by one', () => {
    // Three published; m2 died earlier and left. Then m1 dies: 1 of the 2 that count is reachable.
    const result = decide([member(0, 'reachable'), member(1, 'unreachable'), member(2, 'unreachable')], records(0, 1));
    expect(result.failingStatic).toBeUndefined();
    expect(result.records).toEqual(records(0));
  });

  it('counts reachable members that are not ready: the hub can reach its fleet, so the dead members leave', () => {
    // A rollout: six members reachable but not ready, four published, three of them die.
    const rolling = [0, 1, 2, 3, 4, 5].map((i) => member(i, 'reachable', 'not-ready'));
    const result = decide(
      [...rolling, member(6, 'reachable'), member(7, 'unreachable'), member(8, 'unreachable'), member(9, 'unreachable')],
      records(6, 7, 8, 9),
    );
    expect(result.failingStatic).toBeUndefined();
    expect(result.records).toEqual(records(6));
  });

  it('follows minHealthyPercent: 0 never holds, 100 holds for any unreachable published member', () => {
    const all = [member(0, 'unreachable'), member(1, 'unreachable')];
    expect(decide(all, records(0, 1), 0).records).toEqual([]);
    const one = [member(0, 'reachable'), member(1, 'reachable'), member(2, 'unreachable')];
    expect(decide(one, records(0, 1, 2), 100).failingStatic?.held).toEqual(['m2']);
    expect(decide(one, records(0, 1, 2), 66).failingStatic).toBeUndefined();
    expect(decide(one, records(0, 1, 2), 67).failingStatic?.held).toEqual(['m2']);
  });

  it('keeps what was published for members not probed yet, failing static or not (a new leader)', () => {
    // The previous leader failed static: the entries it recorded are stale, their records held.
    const taken = [member(0, 'unknown', 'stale'), member(1, 'unknown', 'stale')];
    const failing = decide(taken, records(0, 1), 50, true);
    expect(failing.records).toEqual(records(0, 1));
    expect(failing.failingStatic?.held).toEqual(['m0', 'm1']);
    // It did not: the same records, no FailingStatic.
    const steady = decide([member(0, 'unknown'), member(1, 'unknown')], records(0, 1));
    expect(steady.records).toEqual(records(0, 1));
    expect(steady.failingStatic).toBeUndefined();
  });

  it('never publishes a member that was not published for being unreachable', () => {
    const result = decide([member(0, 'unreachable'), member(1, 'unreachable')], records(0));
    expect(result.records).toEqual(records(0));
  });
});

describe('memberReach', () => {
  const view = (state: MemberView['reachability']['state'], cacheSynced = true): MemberView => ({
    name: 'm',
    reachability: state === 'ready' ? { state } : state === 'unknown' ? { state, message: '' } : { state, message: '', lastSeen: undefined },
    cacheSynced,
    replica: undefined,
    conflict: false,
    applyError: undefined,
  });

  it('is reachable when probed fine and listed, unreachable when Offline, unusable or its last probe failed, else unknown', () => {
    expect(memberReach(view('ready'), false)).toBe('reachable');
    expect(memberReach(view('ready'), true)).toBe('unreachable');
    expect(memberReach(view('offline'), false)).toBe('unreachable');
    expect(memberReach(view('unusable'), false)).toBe('unreachable');
    expect(memberReach(view('unknown'), true)).toBe('unreachable');
    expect(memberReach(view('unknown'), false)).toBe('unknown');
    expect(memberReach(view('ready', false), false)).toBe('unknown');
  });
});
