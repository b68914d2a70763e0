import type { MemberCluster, PrometheusCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { FIXTURE_NOW } from '../../test/fixtures.ts';
import { renderEndpoints } from '../commands/endpoints.ts';
import { renderMembers } from '../commands/members.ts';
import { renderStatus } from '../commands/status.ts';
import { UnsafeZoneError } from '../endpoints/zone.ts';
import { memberViews } from './members.ts';
import { statusViews } from './status.ts';

// What a hostile member (or a hub that did not check) could get into what promfleet prints.
const ESCAPE = '\u001b[2J\u001b[31mfake\u001b[0m';
const BIDI = '\u202eevil\u202c';
const C1 = '\u009b31m';
const UNPRINTABLE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

const cluster = (records: unknown[], message: string): PrometheusCluster =>
  ({
    metadata: { name: 'cloud', namespace: 'platform' },
    spec: {},
    status: {
      phase: 'Degraded',
      clusters: [
        { name: 'eu-west', phase: 'Failed', ready: false, stale: false, message, queryHost: `query.example.com${BIDI}`, addresses: [`192.0.2.1${C1}`] },
      ],
      endpoints: records,
    },
  }) as unknown as PrometheusCluster;

const record = (target: string, dnsName = 'query.example.com') => ({ dnsName, recordType: 'A', targets: [target], ttl: 30 });

describe('member-originated strings in what promfleet prints', () => {
  it('status: messages, hosts and addresses lose their control characters in every format', () => {
    const views = statusViews([cluster([record('192.0.2.1')], `pod failed ${ESCAPE} ${BIDI} ${C1}\nsecond line`)]);
    for (const format of ['table', 'json', 'yaml'] as const) {
      const text = renderStatus(views, format).replaceAll('\n', '');
      expect(text, format).not.toMatch(UNPRINTABLE);
      expect(text, format).toContain('pod failed [2J[31mfake[0m evil 31msecond line');
    }
  });

  it('status: refuses to print records that a zone file cannot hold, and says so', () => {
    const views = statusViews([cluster([record('192.0.2.1\nevil.example.com. 30 IN A 203.0.113.66')], 'x')]);
    const table = renderStatus(views, 'table');
    expect(table).toContain(
      'DNS: refusing to print records of platform/cloud: endpoints[0] (targets[0]) is not a DNS name, address or set identifier a zone file can hold',
    );
    expect(table).not.toContain('203.0.113.66');
  });

  it('members: the member-reported Kubernetes version loses its control characters', () => {
    const member = {
      metadata: { name: 'eu-west' },
      spec: { namespace: 'monitoring' },
      status: { kubernetesVersion: `v1.30.0${ESCAPE}` },
    } as unknown as MemberCluster;
    const views = memberViews([member], FIXTURE_NOW);
    for (const format of ['table', 'json', 'yaml'] as const)
      expect(renderMembers(views, format, FIXTURE_NOW).replaceAll('\n', ''), format).not.toMatch(UNPRINTABLE);
  });

  it.each([
    ['a newline in a target (a record injected)', [record('192.0.2.1\nevil.example.com. 30 IN A 203.0.113.66')], 'endpoints[0] (targets[0])'],
    ['a zone directive as a target', [record('$INCLUDE /etc/passwd')], 'endpoints[0] (targets[0])'],
    ['a control character in a name', [record('192.0.2.1', `query.example.com${C1}`)], 'endpoints[0] (dnsName)'],
    ['a bidi override in a target', [{ ...record(`lb.example.net${BIDI}`), recordType: 'CNAME' }], 'endpoints[0] (targets[0])'],
    [
      'a set identifier with a comment',
      [{ ...record('lb.example.net'), recordType: 'CNAME', setIdentifier: 'eu\n$ORIGIN evil.' }],
      'endpoints[0] (setIdentifier)',
    ],
  ])('endpoints: zone and JSON output refuse %s, naming the field', (_what, records, field) => {
    const sets = [{ namespace: 'platform', name: 'cloud', endpoints: records as never }];
    for (const format of ['zone', 'json'] as const) {
      expect(() => renderEndpoints(sets, format)).toThrow(UnsafeZoneError);
      expect(() => renderEndpoints(sets, format)).toThrow(
        `refusing to print records of platform/cloud: ${field} is not a DNS name, address or set identifier a zone file can hold`,
      );
    }
  });

  it('endpoints: refuses a namespace that would start a zone line', () => {
    const sets = [{ namespace: 'platform\nevil.example.com. 30 IN A 203.0.113.66', name: 'cloud', endpoints: [] }];
    expect(() => renderEndpoints(sets, 'zone')).toThrow('its namespace or name is not a Kubernetes name');
  });
});
