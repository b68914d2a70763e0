import { describe, expect, it } from 'vitest';

import { buildRecords } from './dns-records.ts';

const names = ['query.prometheus.example.com'];

describe('buildRecords', () => {
  it('puts every ready IPv4 target in one A record, sorted numerically', () => {
    const { records, unpublished } = buildRecords(names, 30, [
      { member: 'us-east', publishable: true, addresses: ['198.51.100.10'] },
      { member: 'eu-west', publishable: true, addresses: ['192.0.2.10', '192.0.2.9'] },
      { member: 'ap-south', publishable: false, addresses: ['203.0.113.10'] },
    ]);
    expect(records).toEqual([{ dnsName: 'query.prometheus.example.com', recordType: 'A', targets: ['192.0.2.9', '192.0.2.10', '198.51.100.10'], ttl: 30 }]);
    expect(unpublished).toEqual([]);
  });

  it('adds an AAAA record for IPv6 targets', () => {
    const { records } = buildRecords(names, 60, [
      { member: 'a', publishable: true, addresses: ['192.0.2.10', '2001:db8::10'] },
      { member: 'b', publishable: true, addresses: ['2001:db8:1::10'] },
    ]);
    expect(records.map((r) => [r.recordType, r.targets])).toEqual([
      ['A', ['192.0.2.10']],
      ['AAAA', ['2001:db8:1::10', '2001:db8::10']],
    ]);
  });

  it('makes one CNAME per member with its name as set identifier for hostname targets', () => {
    const { records } = buildRecords([...names, 'grafana.prometheus.example.com'], 30, [
      { member: 'us-east', publishable: true, addresses: ['us.lb.example.net'] },
      { member: 'eu-west', publishable: true, addresses: ['eu.lb.example.net', 'eu2.lb.example.net'] },
    ]);
    expect(records).toEqual([
      { dnsName: 'query.prometheus.example.com', recordType: 'CNAME', targets: ['eu.lb.example.net'], ttl: 30, setIdentifier: 'eu-west' },
      { dnsName: 'query.prometheus.example.com', recordType: 'CNAME', targets: ['us.lb.example.net'], ttl: 30, setIdentifier: 'us-east' },
      { dnsName: 'grafana.prometheus.example.com', recordType: 'CNAME', targets: ['eu.lb.example.net'], ttl: 30, setIdentifier: 'eu-west' },
      { dnsName: 'grafana.prometheus.example.com', recordType: 'CNAME', targets: ['us.lb.example.net'], ttl: 30, setIdentifier: 'us-east' },
    ]);
  });

  it('leaves out hostname-only members when others have IPs, and says which', () => {
    const result = buildRecords(names, 30, [
      { member: 'eu-west', publishable: true, addresses: ['192.0.2.10'] },
      { member: 'us-east', publishable: true, addresses: ['us.lb.example.net'] },
    ]);
    expect(result.records.map((r) => r.recordType)).toEqual(['A']);
    expect(result.unpublished).toEqual(['us-east']);
  });

  it('publishes nothing without publishable members', () => {
    expect(buildRecords(names, 30, [{ member: 'a', publishable: false, addresses: ['192.0.2.1'] }]).records).toEqual([]);
    expect(buildRecords(names, 30, [{ member: 'a', publishable: true, addresses: [] }]).records).toEqual([]);
  });
});
