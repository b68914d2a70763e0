import { isIP } from 'node:net';

import { describe, expect, it } from 'vitest';

import { dnsTarget, labelKeyProblem, labelValueProblem, parsePrometheusDuration, softwareVersion } from './formats.ts';

describe('parsePrometheusDuration', () => {
  it.each([
    ['0', 0],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['15d', 15 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['500ms', 500],
    ['1d2h3m4s5ms', 86_400_000 + 7_200_000 + 180_000 + 4000 + 5],
  ])('%s is %d ms', (text, ms) => {
    expect(parsePrometheusDuration(text)).toBe(ms);
  });

  it.each(['', '24x', '2 h', '30m1h', '1.5h', 'h', '-1h', '1hh'])('%j is not a duration', (text) => {
    expect(parsePrometheusDuration(text)).toBeUndefined();
  });
});

describe('label syntax', () => {
  it('accepts prefixed and plain keys and empty values', () => {
    expect(labelKeyProblem('promfleet.io/member')).toBeUndefined();
    expect(labelKeyProblem('region')).toBeUndefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('eu-west-1')).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(labelKeyProblem('Bad_Prefix/x')).toContain('invalid prefix');
    expect(labelKeyProblem('a/')).toContain('is invalid');
    expect(labelKeyProblem('x'.repeat(64))).toContain('is invalid');
    expect(labelValueProblem('-x')).toContain('label value "-x"');
  });
});

describe('dnsTarget', () => {
  const ips = [
    '192.0.2.10',
    '0.0.0.0',
    '255.255.255.255',
    '2001:db8::10',
    '::1',
    '::',
    'fe80::1:2:3:4',
    '2001:db8:0:0:0:0:0:1',
    '::ffff:192.0.2.1',
    '64:ff9b::192.0.2.33',
    '1:2:3:4:5:6:192.0.2.1',
  ];
  const hosts = ['lb.example.net', 'lb.example.net.', 'a1b2c3-123.elb.us-east-1.amazonaws.com', 'LB.Example.NET', 'localhost', `${'a'.repeat(63)}.net`];

  it.each([...ips, ...hosts])('accepts %s', (target) => {
    expect(dnsTarget.safeParse(target).success).toBe(true);
  });

  it('agrees with Node on what an IP address is', () => {
    for (const ip of ips) expect(isIP(ip), ip).not.toBe(0);
  });

  it.each([
    '',
    '192.0.2.10\nevil.example.com. 30 IN A 203.0.113.66',
    '$INCLUDE /etc/passwd',
    '@',
    'lb.example.net 30',
    'lb.example.net;comment',
    '192.0.2.300',
    '192.0.2',
    '01.2.3.4',
    '2001:db8::10%eth0',
    '1:2:3:4:5:6:7:8:9',
    '-lb.example.net',
    'lb-.example.net',
    'lb..example.net',
    `${'a'.repeat(64)}.net`,
    `${'abcdefghi.'.repeat(26)}net`,
    'lb.example.123',
    'lb.example.net\u0000',
    'lb\u202e.example.net',
  ])('refuses %j, without repeating it', (target) => {
    const result = dnsTarget.safeParse(target);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be an IPv4 or IPv6 address or an RFC 1123 host name of at most 253 characters');
  });
});

describe('softwareVersion', () => {
  it.each(['0.1.0', '0.2.0-rc.1', '1.0.0+build.5', 'v0.1.0'])('accepts %j', (version) => {
    expect(softwareVersion.safeParse(version).success).toBe(true);
  });

  it.each(['', ' 0.1.0', '0.1.0\nInjected', '0.1.0 (patched)', '\u202e0.1.0', '-rc', 'x'.repeat(65)])('refuses %j', (version) => {
    expect(softwareVersion.safeParse(version).success).toBe(false);
  });
});
