import { API_VERSION, ROUTING_POLICIES, type PrometheusCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { buildRecords } from '../fanout/dns-records.ts';
import { desiredDNSEndpoint, providerSpecific } from './dnsendpoint-writer.ts';

const names = ['query.prometheus.example.com', 'grafana.prometheus.example.com'];
const hostnames = [
  { member: 'eu-west', publishable: true, addresses: ['eu-west.lb.example.net'] },
  { member: 'us-east', publishable: true, addresses: ['us-east.lb.example.net'] },
];
const ips = [
  { member: 'eu-west', publishable: true, addresses: ['192.0.2.10', '2001:db8::10'] },
  { member: 'us-east', publishable: true, addresses: ['198.51.100.10'] },
];

function cluster(members: typeof ips): Record<string, PrometheusCluster> {
  return Object.fromEntries(
    ROUTING_POLICIES.map((policy) => [
      policy,
      {
        apiVersion: API_VERSION,
        kind: 'PrometheusCluster',
        metadata: { name: 'cloud', namespace: 'platform', uid: '6f1c1a52-0000-4000-8000-000000000001' },
        spec: {} as PrometheusCluster['spec'],
        status: { endpoints: buildRecords(names, 30, policy, members).records },
      },
    ]),
  );
}

describe('desiredDNSEndpoint', () => {
  it.each([
    ['hostname', hostnames],
    ['ip', ips],
  ] as const)('renders each routing policy for %s members as external-dns reads it (golden)', async (kind, members) => {
    const rendered = Object.entries(cluster(members)).map(
      ([policy, object]) => `# routingPolicy: ${policy}\n${stringify(desiredDNSEndpoint(object) ?? null, { lineWidth: 0 })}`,
    );
    await expect(rendered.join('---\n')).toMatchFileSnapshot(`../../test/golden/dnsendpoint-${kind}.yaml`);
  });

  it('renders no DNSEndpoint without records', () => {
    expect(desiredDNSEndpoint({ ...cluster(ips).none, status: { endpoints: [] } } as PrometheusCluster)).toBeUndefined();
  });
});

describe('providerSpecific', () => {
  const record = { dnsName: 'query.example.com', recordType: 'CNAME' as const, targets: ['lb.example.net'], ttl: 30 };

  it("writes Route 53's weight as a decimal and multivalue as a property with an empty value, as the AWS provider reads records back", () => {
    expect(providerSpecific({ ...record, setIdentifier: 'eu', routingPolicy: 'weighted', weight: 1 })).toEqual([{ name: 'aws/weight', value: '1' }]);
    expect(providerSpecific({ ...record, recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'eu', routingPolicy: 'multivalue' })).toEqual([
      { name: 'aws/multi-value-answer' },
    ]);
    expect(providerSpecific(record)).toEqual([]);
  });
});
