import { dnsRecords, ROUTING_POLICIES } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { buildRecords, type MemberTargets } from './dns-records.ts';

const names = ['query.prometheus.example.com'];
const query = 'query.prometheus.example.com';
const hostnames: MemberTargets[] = [
  { member: 'us-east', publishable: true, addresses: ['us.lb.example.net'] },
  { member: 'eu-west', publishable: true, addresses: ['eu.lb.example.net', 'eu2.lb.example.net'] },
  { member: 'ap-south', publishable: false, addresses: ['ap.lb.example.net'] },
];
const ips: MemberTargets[] = [
  { member: 'us-east', publishable: true, addresses: ['198.51.100.10', '2001:db8:1::10'] },
  { member: 'eu-west', publishable: true, addresses: ['192.0.2.10', '192.0.2.9'] },
];

describe('buildRecords with routing policy none (the default)', () => {
  it('puts every ready IPv4 target in one A record, sorted numerically', () => {
    const { records, unpublished } = buildRecords(names, 30, 'none', [
      { member: 'us-east', publishable: true, addresses: ['198.51.100.10'] },
      { member: 'eu-west', publishable: true, addresses: ['192.0.2.10', '192.0.2.9'] },
      { member: 'ap-south', publishable: false, addresses: ['203.0.113.10'] },
    ]);
    expect(records).toEqual([{ dnsName: query, recordType: 'A', targets: ['192.0.2.9', '192.0.2.10', '198.51.100.10'], ttl: 30 }]);
    expect(unpublished).toEqual([]);
  });

  it('adds an AAAA record for IPv6 targets', () => {
    const { records } = buildRecords(names, 60, 'none', [
      { member: 'a', publishable: true, addresses: ['192.0.2.10', '2001:db8::10'] },
      { member: 'b', publishable: true, addresses: ['2001:db8:1::10'] },
    ]);
    expect(records.map((r) => [r.recordType, r.targets])).toEqual([
      ['A', ['192.0.2.10']],
      ['AAAA', ['2001:db8:1::10', '2001:db8::10']],
    ]);
  });

  it('publishes the CNAME of one member, the first by name, with no set identifier; the others stand by', () => {
    const result = buildRecords([...names, 'grafana.prometheus.example.com'], 30, 'none', hostnames);
    expect(result.records).toEqual([
      { dnsName: query, recordType: 'CNAME', targets: ['eu.lb.example.net'], ttl: 30 },
      { dnsName: 'grafana.prometheus.example.com', recordType: 'CNAME', targets: ['eu.lb.example.net'], ttl: 30 },
    ]);
    expect(result.standby).toEqual(['us-east']);
    // The same whatever order the members come in.
    expect(buildRecords(names, 30, 'none', [...hostnames].reverse()).records[0]?.targets).toEqual(['eu.lb.example.net']);
  });

  it('moves the CNAME to the next member when the first leaves', () => {
    const { records, standby } = buildRecords(names, 30, 'none', [
      { member: 'us-east', publishable: true, addresses: ['us.lb.example.net'] },
      { member: 'eu-west', publishable: false, addresses: ['eu.lb.example.net'] },
    ]);
    expect(records).toEqual([{ dnsName: query, recordType: 'CNAME', targets: ['us.lb.example.net'], ttl: 30 }]);
    expect(standby).toEqual([]);
  });

  it('leaves out hostname-only members when others have IPs, and says which', () => {
    const result = buildRecords(names, 30, 'none', [
      { member: 'eu-west', publishable: true, addresses: ['192.0.2.10'] },
      { member: 'us-east', publishable: true, addresses: ['us.lb.example.net'] },
    ]);
    expect(result.records.map((r) => r.recordType)).toEqual(['A']);
    expect(result.unpublished).toEqual(['us-east']);
  });

  it('publishes nothing without publishable members', () => {
    expect(buildRecords(names, 30, 'none', [{ member: 'a', publishable: false, addresses: ['192.0.2.1'] }]).records).toEqual([]);
    expect(buildRecords(names, 30, 'none', [{ member: 'a', publishable: true, addresses: [] }]).records).toEqual([]);
  });
});

describe('buildRecords with routing policy weighted', () => {
  it('makes one CNAME per member, its name the set identifier, all of weight 1', () => {
    const { records, standby, refused } = buildRecords(names, 30, 'weighted', hostnames);
    expect(records).toEqual([
      { dnsName: query, recordType: 'CNAME', targets: ['eu.lb.example.net'], ttl: 30, setIdentifier: 'eu-west', routingPolicy: 'weighted', weight: 1 },
      { dnsName: query, recordType: 'CNAME', targets: ['us.lb.example.net'], ttl: 30, setIdentifier: 'us-east', routingPolicy: 'weighted', weight: 1 },
    ]);
    expect([standby, refused]).toEqual([[], []]);
  });

  it('makes one A and one AAAA record set per IP member', () => {
    expect(buildRecords(names, 30, 'weighted', ips).records).toEqual([
      { dnsName: query, recordType: 'A', targets: ['192.0.2.9', '192.0.2.10'], ttl: 30, setIdentifier: 'eu-west', routingPolicy: 'weighted', weight: 1 },
      { dnsName: query, recordType: 'A', targets: ['198.51.100.10'], ttl: 30, setIdentifier: 'us-east', routingPolicy: 'weighted', weight: 1 },
      { dnsName: query, recordType: 'AAAA', targets: ['2001:db8:1::10'], ttl: 30, setIdentifier: 'us-east', routingPolicy: 'weighted', weight: 1 },
    ]);
  });
});

describe('buildRecords with routing policy multivalue', () => {
  it('makes one A and one AAAA record set per IP member, without weights', () => {
    const { records } = buildRecords(names, 30, 'multivalue', ips);
    expect(records.map((r) => [r.recordType, r.setIdentifier, r.routingPolicy, r.weight])).toEqual([
      ['A', 'eu-west', 'multivalue', undefined],
      ['A', 'us-east', 'multivalue', undefined],
      ['AAAA', 'us-east', 'multivalue', undefined],
    ]);
  });

  it('refuses hostname members: Route 53 has no multivalue CNAME or alias records', () => {
    const { records, refused } = buildRecords(names, 30, 'multivalue', hostnames);
    expect(records).toEqual([]);
    expect(refused).toEqual(['eu-west', 'us-east']);
  });
});

describe('buildRecords output', () => {
  const mixed: MemberTargets[] = [...ips, { member: 'ap-south', publishable: true, addresses: ['ap.lb.example.net'] }];
  it.each(
    ROUTING_POLICIES.flatMap(
      (policy) =>
        [
          [policy, 'hostnames', hostnames],
          [policy, 'IPs', ips],
          [policy, 'IPs and hostnames', mixed],
        ] as const,
    ),
  )('is a valid record list (the schema every reader checks) with %s for %s', (policy, _what, members) => {
    const { records } = buildRecords([...names, 'grafana.prometheus.example.com'], 30, policy, members);
    const checked = dnsRecords.safeParse(records);
    expect(checked.success ? [] : checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([]);
  });
});

describe('buildRecords on the next change', () => {
  it('hands back the same record objects for members whose addresses did not change, and builds the changed one anew', () => {
    const members: MemberTargets[] = [
      { member: 'us-east', publishable: true, addresses: ['198.51.100.10', '2001:db8:1::10'] },
      { member: 'eu-west', publishable: true, addresses: ['192.0.2.10'] },
    ];
    const first = buildRecords(names, 60, 'weighted', members).records;
    // eu-west moves: a new address list, as a new entry brings.
    const moved: MemberTargets[] = [...members.slice(0, 1), { member: 'eu-west', publishable: true, addresses: ['192.0.2.11'] }];
    const second = buildRecords(names, 60, 'weighted', moved).records;
    const of = (records: typeof first, member: string, type: string) => records.find((r) => r.setIdentifier === member && r.recordType === type);
    expect(of(second, 'us-east', 'A')).toBe(of(first, 'us-east', 'A'));
    expect(of(second, 'us-east', 'AAAA')).toBe(of(first, 'us-east', 'AAAA'));
    expect(of(second, 'eu-west', 'A')).not.toBe(of(first, 'eu-west', 'A'));
    expect(of(second, 'eu-west', 'A')?.targets).toEqual(['192.0.2.11']);
    // The same addresses under another policy, TTL or name are other records.
    expect(buildRecords(names, 30, 'weighted', members).records[0]).not.toBe(first[0]);
    expect(buildRecords(names, 60, 'multivalue', members).records.find((r) => r.setIdentifier === 'us-east')?.routingPolicy).toBe('multivalue');
    expect(buildRecords(['other.example.com'], 60, 'weighted', members).records[0]?.dnsName).toBe('other.example.com');
  });

  it('freezes the records it shares, so no reader can change them under the others', () => {
    const [record] = buildRecords(names, 60, 'weighted', [{ member: 'us-east', publishable: true, addresses: ['198.51.100.7'] }]).records;
    expect(Object.isFrozen(record)).toBe(true);
    expect(() => (record?.targets ?? []).push('192.0.2.1')).toThrow(TypeError);
    expect(record?.targets).toEqual(['198.51.100.7']);
  });
});
