import type { DNSRecord, MemberEntry } from '@promfleet/api';

import type { MemberTargets } from './dns-records.ts';
import type { MemberView } from './member-entry.ts';

/**
 * What the hub knows of a member's reachability now: `reachable` (probed fine, replicas listed),
 * `unreachable` (Offline, a credential it cannot use, or its last probe failed), `unknown` (not
 * probed or listed yet: a hub that just started or took over).
 */
export type MemberReach = 'reachable' | 'unreachable' | 'unknown';

/**
 * A failed last probe counts as unreachable before the member turns Offline: when the hub is cut
 * off, every member's probes fail within a probe interval and a timeout, while the first member
 * turns Offline only after `--member-offline-after` — so by then every other member already
 * counts, and the cut is seen whole rather than one member at a time.
 */
export function memberReach(view: MemberView, lastProbeFailed: boolean): MemberReach {
  const { state } = view.reachability;
  if (state === 'offline' || state === 'unusable' || lastProbeFailed) return 'unreachable';
  return state === 'unknown' || !view.cacheSynced ? 'unknown' : 'reachable';
}

export interface DNSMember {
  readonly entry: MemberEntry;
  readonly reach: MemberReach;
}

export interface FailStaticInput {
  readonly members: readonly DNSMember[];
  /** The records published so far (`status.endpoints`). */
  readonly published: readonly DNSRecord[];
  readonly minHealthyPercent: number;
  /** It was failing static when the records were published. */
  readonly wasFailing: boolean;
}

export interface FailingStatic {
  /** Published members that are unreachable (or not yet probed) and kept as last known. */
  readonly held: readonly string[];
  readonly reachable: number;
  /** Members that count: published or reachable, and probed. */
  readonly counted: number;
  readonly minHealthyPercent: number;
}

export interface DNSTargets {
  readonly targets: MemberTargets[];
  /** Set while the hub fails static. */
  readonly failingStatic: FailingStatic | undefined;
}

/**
 * Which members DNS publishes, failing static when the hub may be the one cut off. A member that
 * is reached and ready is published; one that is reached and not ready is not. An unreachable
 * member that was published leaves DNS — unless fewer than `minHealthyPercent` of the members
 * that count (published or reachable, and probed) are reachable: the hub cannot tell "most of
 * the fleet died" from "I am cut off", so, like Envoy's panic threshold, it keeps the unreachable
 * members' last known records until enough members are reached again. A member not probed yet
 * keeps what was published for it (a new leader moves no record before it knows better).
 *
 * With the default 50 %: of two published members, one unreachable leaves DNS (1 of 2 reachable
 * is not below half) and both unreachable are held; a single published member is held.
 */
export function dnsTargets(input: FailStaticInput): DNSTargets {
  const published = new Set(input.published.flatMap((record) => record.targets));
  const isPublished = (entry: MemberEntry) => (entry.addresses ?? []).some((address) => published.has(address));
  const fresh = (entry: MemberEntry) => entry.ready && !entry.stale;
  const counted = input.members.filter((m) => m.reach !== 'unknown' && (m.reach === 'reachable' || isPublished(m.entry)));
  const reachable = counted.filter((m) => m.reach === 'reachable').length;
  // Failing static only matters when it keeps a record that would otherwise go.
  const leaving = counted.filter((m) => m.reach === 'unreachable' && isPublished(m.entry) && !fresh(m.entry));
  const belowThreshold = reachable * 100 < input.minHealthyPercent * counted.length;
  const awaitingProbes = input.members.some((m) => m.reach === 'unknown' && isPublished(m.entry));
  // A hub that takes over while failing static keeps failing static until its probes decide.
  const failing = (leaving.length > 0 && belowThreshold) || (input.wasFailing && input.minHealthyPercent > 0 && awaitingProbes);
  const kept = (m: DNSMember) => isPublished(m.entry) && (m.reach === 'unknown' || (failing && m.reach === 'unreachable'));
  const targets = input.members.map((m) => ({ member: m.entry.name, publishable: fresh(m.entry) || kept(m), addresses: m.entry.addresses ?? [] }));
  if (!failing) return { targets, failingStatic: undefined };
  const held = input.members.filter(kept).map((m) => m.entry.name);
  return { targets, failingStatic: { held: held.sort(), reachable, counted: counted.length, minHealthyPercent: input.minHealthyPercent } };
}
