import type { PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { MAX_MEMBER_MESSAGE, vetMemberReport, vetRecordedEntry } from './member-report.ts';

const replica = (status: unknown): PrometheusReplica => ({ metadata: { name: 'cloud', namespace: 'monitoring' }, status }) as unknown as PrometheusReplica;
const running = { phase: 'Running', observedGeneration: 1 };

describe('vetMemberReport', () => {
  it('passes a valid report through', () => {
    const report = vetMemberReport(
      replica({ ...running, output: { queryHost: 'query.example.com', addresses: ['192.0.2.10', '2001:db8::10', 'lb-1.elb.example.net'] } }),
    );
    expect(report).toMatchObject({ unpublishable: undefined, unusable: undefined });
    expect(report.replica?.status?.output?.addresses).toEqual(['192.0.2.10', '2001:db8::10', 'lb-1.elb.example.net']);
  });

  it.each([
    ['a newline that would add a zone record', ['192.0.2.10\nevil.example.com. 30 IN A 203.0.113.66']],
    ['a zone-file directive', ['$INCLUDE /etc/passwd']],
    ['a space', ['lb.example.net 30']],
    ['a control character', ['lb.example.net\u0007']],
    ['an out-of-range address', ['192.0.2.300']],
    ['a too long name', [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.net`]],
    ['a non-string', [42]],
  ])('leaves a member reporting %s out of DNS, naming the field and not the value', (_what, addresses) => {
    const report = vetMemberReport(replica({ ...running, output: { queryHost: 'query.example.com', addresses } }));
    expect(report.unpublishable).toBe(
      'left out of DNS: status.output.addresses must each be an IPv4 or IPv6 address or an RFC 1123 host name of at most 253 characters',
    );
    expect(report.unusable).toBeUndefined();
    // The rest of the report stands; the output keeps no address, so no earlier one stands in.
    expect(report.replica?.status).toMatchObject({ phase: 'Running', output: { queryHost: 'query.example.com' } });
    expect(report.replica?.status?.output?.addresses).toBeUndefined();
    expect(JSON.stringify(report)).not.toContain(String(addresses[0]).slice(0, 12));
  });

  it('leaves out a host that is not a DNS name, and an output that is not an object', () => {
    expect(vetMemberReport(replica({ ...running, output: { queryHost: 'query.example.com\n', addresses: ['192.0.2.1'] } })).unpublishable).toBe(
      'left out of DNS: status.output.queryHost must be a DNS name',
    );
    const notObject = vetMemberReport(replica({ ...running, output: 'x' }));
    expect(notObject.unpublishable).toBe('left out of DNS: status.output must be an object');
    expect(notObject.replica?.status?.output).toEqual({});
  });

  it('makes an unusable status an error, naming the fields', () => {
    const report = vetMemberReport(replica({ phase: 'Hacked\n', conditions: 'none', output: { addresses: ['192.0.2.1'] } }));
    expect(report.unusable).toBe('the member reported an invalid PrometheusReplica status (status.phase, status.conditions)');
    expect(report.replica?.status).toEqual({});
  });

  it('cuts long condition messages', () => {
    const condition = { type: 'Ready', status: 'False', reason: 'X', message: 'm'.repeat(30_000), lastTransitionTime: '2026-01-01T00:00:00Z' };
    expect(vetMemberReport(replica({ phase: 'Degraded', conditions: [condition] })).replica?.status?.conditions?.[0]?.message).toHaveLength(MAX_MEMBER_MESSAGE);
  });
});

describe('vetRecordedEntry', () => {
  it('drops recorded hosts and addresses the CRD now refuses, and keeps the rest', () => {
    const entry = { name: 'eu', phase: 'Running' as const, ready: true, stale: false, queryHost: 'query.example.com', addresses: ['192.0.2.1'] };
    expect(vetRecordedEntry(entry)).toBe(entry);
    expect(vetRecordedEntry({ ...entry, addresses: ['192.0.2.1', 'x\ny'] })).toEqual({
      name: 'eu',
      phase: 'Running',
      ready: true,
      stale: false,
      queryHost: 'query.example.com',
    });
  });
});
