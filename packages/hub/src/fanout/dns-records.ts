import { isIP } from 'node:net';

import type { DNSRecord } from '@promfleet/api';

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
}

/**
 * Round-robin records for `names` (`query.<baseDomain>`, ...) from the publishable members: all
 * IPv4 targets in one A record, all IPv6 in one AAAA; hostname targets become one CNAME per
 * member with the member as `setIdentifier` (weighted/multivalue routing in the DNS provider).
 * A CNAME cannot coexist with other records at a name, so when any member has IPs, members
 * with only hostnames are left out and reported.
 */
export function buildRecords(names: readonly string[], ttl: number, members: readonly MemberTargets[]): RecordsResult {
  const publishable = members.filter((m) => m.publishable && m.addresses.length > 0).sort((a, b) => a.member.localeCompare(b.member));
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  const hostnames: { member: string; hostname: string }[] = [];
  for (const member of publishable) {
    const ips = member.addresses.filter((address) => isIP(address) !== 0);
    for (const ip of ips) (isIP(ip) === 4 ? ipv4 : ipv6).add(ip);
    const hostname = member.addresses.filter((address) => isIP(address) === 0).sort()[0];
    if (ips.length === 0 && hostname) hostnames.push({ member: member.member, hostname });
  }
  const hasIPs = ipv4.size + ipv6.size > 0;
  const records: DNSRecord[] = [];
  for (const dnsName of names) {
    if (ipv4.size > 0) records.push({ dnsName, recordType: 'A', targets: [...ipv4].sort(compareAddresses), ttl });
    if (ipv6.size > 0) records.push({ dnsName, recordType: 'AAAA', targets: [...ipv6].sort(), ttl });
    if (!hasIPs) {
      for (const { member, hostname } of hostnames) records.push({ dnsName, recordType: 'CNAME', targets: [hostname], ttl, setIdentifier: member });
    }
  }
  return { records, unpublished: hasIPs ? hostnames.map((h) => h.member) : [] };
}

function compareAddresses(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
