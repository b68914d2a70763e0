import type { PrometheusCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../../test/fixtures.ts';
import { renderEndpoints } from '../commands/endpoints.ts';
import { compareNatural, renderZone, zoneLines, type EndpointSet } from './zone.ts';

const sets: EndpointSet[] = loadFixtures<PrometheusCluster>('prometheus-clusters.yaml').map((cluster) => ({
  namespace: cluster.metadata.namespace ?? '',
  name: cluster.metadata.name,
  endpoints: cluster.status?.endpoints ?? [],
}));

describe('zone output', () => {
  it('prints one absolute, sorted line per target, CNAMEs with their set identifier', async () => {
    await expect(renderEndpoints(sets, 'zone')).toMatchFileSnapshot('../../test/golden/endpoints.zone');
  });

  it('is the same whatever order the hub reported things in', () => {
    const shuffled = [...sets]
      .reverse()
      .map((set) => ({ ...set, endpoints: [...set.endpoints].reverse().map((r) => ({ ...r, targets: [...r.targets].reverse() })) }));
    expect(renderZone(shuffled)).toBe(renderZone(sets));
  });

  it('writes the record line format BIND reads', () => {
    expect(zoneLines([{ dnsName: 'query.example.com', recordType: 'A', targets: ['192.0.2.10'], ttl: 30 }])).toEqual(['query.example.com. 30 IN A 192.0.2.10']);
    expect(zoneLines([{ dnsName: 'query.example.com.', recordType: 'CNAME', targets: ['lb.example.net'], ttl: 30, setIdentifier: 'eu-west' }])).toEqual([
      'query.example.com. 30 IN CNAME lb.example.net. ; set-identifier eu-west',
    ]);
    expect(
      zoneLines([
        {
          dnsName: 'query.example.com',
          recordType: 'CNAME',
          targets: ['lb.example.net'],
          ttl: 30,
          setIdentifier: 'eu-west',
          routingPolicy: 'weighted',
          weight: 1,
        },
      ]),
    ).toEqual(['query.example.com. 30 IN CNAME lb.example.net. ; set-identifier eu-west, weighted weight 1']);
    expect(
      zoneLines([{ dnsName: 'query.example.com', recordType: 'A', targets: ['192.0.2.10'], ttl: 30, setIdentifier: 'eu-west', routingPolicy: 'multivalue' }]),
    ).toEqual(['query.example.com. 30 IN A 192.0.2.10 ; set-identifier eu-west, multivalue']);
  });

  it('says when there is nothing to print', () => {
    expect(renderZone([])).toBe('; no PrometheusClusters\n');
  });

  it("prints an older hub's records too: a CNAME per member with a set identifier and no routing policy", () => {
    const older: EndpointSet = {
      namespace: 'team-a',
      name: 'edge',
      endpoints: ['edge-1', 'edge-2'].map((member) => ({
        dnsName: 'query.edge.example.org',
        recordType: 'CNAME' as const,
        targets: [`lb-${member}.example.net`],
        ttl: 60,
        setIdentifier: member,
      })),
    };
    expect(renderZone([older])).toBe(
      '; team-a/edge\nquery.edge.example.org. 60 IN CNAME lb-edge-1.example.net. ; set-identifier edge-1\nquery.edge.example.org. 60 IN CNAME lb-edge-2.example.net. ; set-identifier edge-2\n',
    );
  });
});

describe('JSON output', () => {
  it('prints the records as a flat, sorted array naming their PrometheusCluster', async () => {
    await expect(renderEndpoints(sets, 'json')).toMatchFileSnapshot('../../test/golden/endpoints.json');
  });
});

describe('compareNatural', () => {
  it('orders addresses by their numbers', () => {
    expect(['192.0.2.10', '192.0.2.9', '10.0.0.1', '192.0.2.100'].sort(compareNatural)).toEqual(['10.0.0.1', '192.0.2.9', '192.0.2.10', '192.0.2.100']);
  });
});
