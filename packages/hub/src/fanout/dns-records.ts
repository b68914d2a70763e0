import { isIP } from 'node:net';

import type { DNSRecord, RecordType, RoutingPolicy } from '@promfleet/api';

import { compareCodePoints } from './order.ts';

/** A member as DNS sees it: its name, whether it may be published, its load-balancer addresses. */
export interface MemberTargets {
  readonly member: string;
  readonly publishable: boolean;
  readonly addresses: readonly string[];
}

export interface RecordsResult {
  readonly records: DNSRecord[];
  /** Members left out because their hostname targets cannot share a name with A/AAAA records. */
  readonly unpublished: string[];
  /** Hostname members the routing policy cannot publish (multivalue: no CNAME or alias record sets). */
  readonly refused: string[];
  /** Hostname members in reserve: `none` publishes the CNAME of the first one only. */
  readonly standby: string[];
}

/** Weighted record sets all get this weight: members share a name equally. */
export const EQUAL_WEIGHT = 1;

/** A member's address list sorted by kind, and the record sets made of it so far (by type, name, TTL and policy). */
interface KeptAddresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly hostname: string | undefined;
  readonly records: Map<string, DNSRecord>;
}

interface Addressed {
  readonly member: string;
  readonly kept: KeptAddresses;
}

/**
 * The records for `names` (`query.<baseDomain>`, ...) from the publishable members, as the
 * routing policy shares the names between them:
 *
 * - `none`: one record set per name and type, which every DNS provider takes: all IPv4 targets in
 *   one A record, all IPv6 in one AAAA; with hostname members, the CNAME of the first by name
 *   (a name holds one CNAME), the others standing by.
 * - `weighted`: one record set per member (its name as `setIdentifier`), all of equal weight.
 * - `multivalue`: one A/AAAA record set per member; hostname members are refused, as Route 53
 *   has no multivalue CNAME or alias records.
 *
 * A CNAME cannot share a name with other records, so when any member has IPs, members with only
 * hostnames are left out and reported, whatever the policy.
 */
export function buildRecords(names: readonly string[], ttl: number, policy: RoutingPolicy, members: readonly MemberTargets[]): RecordsResult {
  const addressed = members
    .filter((m) => m.publishable && m.addresses.length > 0)
    .sort((a, b) => compareCodePoints(a.member, b.member))
    .map((m): Addressed => ({ member: m.member, kept: keptAddresses(m.addresses) }));
  const withIPs = addressed.filter((m) => m.kept.ipv4.length + m.kept.ipv6.length > 0);
  const withHostnames = addressed.filter((m) => m.kept.hostname !== undefined);
  const result: RecordsResult = { records: [], unpublished: [], refused: [], standby: [] };
  if (withIPs.length > 0) {
    result.unpublished.push(...withHostnames.map((m) => m.member));
    for (const dnsName of names) result.records.push(...ipRecords(dnsName, ttl, policy, withIPs));
    return result;
  }
  if (policy === 'multivalue') {
    result.refused.push(...withHostnames.map((m) => m.member));
    return result;
  }
  const [first, ...rest] = withHostnames;
  const published = policy === 'none' ? (first ? [first] : []) : withHostnames;
  if (policy === 'none') result.standby.push(...rest.map((m) => m.member));
  for (const dnsName of names) {
    for (const m of published)
      result.records.push(record(dnsName, 'CNAME', [m.kept.hostname ?? ''], ttl, policy === 'none' ? undefined : { member: m.member, policy }));
  }
  return result;
}

function ipRecords(dnsName: string, ttl: number, policy: RoutingPolicy, members: readonly Addressed[]): DNSRecord[] {
  if (policy === 'none') {
    const ipv4 = sortIPv4([...new Set(members.flatMap((m) => m.kept.ipv4))]);
    const ipv6 = [...new Set(members.flatMap((m) => m.kept.ipv6))].sort();
    return [...(ipv4.length > 0 ? [record(dnsName, 'A', ipv4, ttl)] : []), ...(ipv6.length > 0 ? [record(dnsName, 'AAAA', ipv6, ttl)] : [])];
  }
  const perMember = (type: 'A' | 'AAAA', pick: (m: Addressed) => readonly string[], sort: (targets: string[]) => string[]) => {
    const set = `${type} ${dnsName} ${String(ttl)} ${policy}`;
    return members
      .filter((m) => pick(m).length > 0)
      .map((m) => keptRecord(m, set, () => record(dnsName, type, sort([...new Set(pick(m))]), ttl, { member: m.member, policy })));
  };
  return [
    ...perMember('A', (m) => m.kept.ipv4, sortIPv4),
    ...perMember(
      'AAAA',
      (m) => m.kept.ipv6,
      (targets) => targets.sort(),
    ),
  ];
}

/**
 * Kept per address list, which a member's entry keeps while it does not change: its kinds of
 * address and its own record sets. A change to one member then builds that member's records
 * alone, and hands back the very objects it gave before for every other member, so comparing the
 * status with the last one written, and writing the records out as text, skip them at once
 * (`isSubset`, `object-json.ts`). The records are frozen: they are shared from then on.
 */
const byAddresses = new WeakMap<readonly string[], KeptAddresses>();

function keptAddresses(addresses: readonly string[]): KeptAddresses {
  let kept = byAddresses.get(addresses);
  if (kept === undefined) {
    const versions = addresses.map((address) => isIP(address));
    const ipv4 = addresses.filter((_address, i) => versions[i] === 4);
    const ipv6 = addresses.filter((_address, i) => versions[i] === 6);
    const hostnames = addresses.filter((_address, i) => versions[i] === 0);
    kept = { ipv4, ipv6, hostname: ipv4.length + ipv6.length === 0 ? hostnames.sort()[0] : undefined, records: new Map() };
    byAddresses.set(addresses, kept);
  }
  return kept;
}

/** The member's record of `set` (type, name, TTL, policy) as built before, if it was built for this member. */
function keptRecord(member: Addressed, set: string, build: () => DNSRecord): DNSRecord {
  const known = member.kept.records.get(set);
  if (known?.setIdentifier === member.member) return known;
  const built = build();
  Object.freeze(built.targets);
  member.kept.records.set(set, Object.freeze(built));
  return built;
}

function record(
  dnsName: string,
  recordType: RecordType,
  targets: string[],
  ttl: number,
  set?: { member: string; policy: Exclude<RoutingPolicy, 'none'> },
): DNSRecord {
  if (!set) return { dnsName, recordType, targets, ttl };
  return {
    dnsName,
    recordType,
    targets,
    ttl,
    setIdentifier: set.member,
    routingPolicy: set.policy,
    ...(set.policy === 'weighted' ? { weight: EQUAL_WEIGHT } : {}),
  };
}

/** IPv4 addresses in numeric order; each parsed once, as a fleet's record holds a thousand of them. */
function sortIPv4(addresses: readonly string[]): string[] {
  const numeric = (address: string) => address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  return addresses
    .map((address) => ({ address, value: numeric(address) }))
    .sort((a, b) => a.value - b.value)
    .map(({ address }) => address);
}
