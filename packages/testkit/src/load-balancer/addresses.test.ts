import { describe, expect, it } from 'vitest';

import { isLoadBalancerMode, loadBalancerAddress } from './addresses.ts';

const cluster = (index: number, name = 'eu') => ({ name, index });

describe('loadBalancerAddress', () => {
  it('spreads IPv4 addresses over the three documentation ranges by cluster index', () => {
    expect([0, 1, 2, 3, 4].map((index) => loadBalancerAddress(cluster(index), 'ipv4'))).toEqual([
      { ip: '192.0.2.10' },
      { ip: '198.51.100.10' },
      { ip: '203.0.113.10' },
      { ip: '192.0.2.11' },
      { ip: '198.51.100.11' },
    ]);
  });

  it('writes IPv6 addresses in 2001:db8::/32 canonically', () => {
    expect(loadBalancerAddress(cluster(0), 'ipv6')).toEqual({ ip: '2001:db8::10' });
    expect(loadBalancerAddress(cluster(26), 'ipv6')).toEqual({ ip: '2001:db8:1a::10' });
  });

  it('names the cluster in hostnames', () => {
    expect(loadBalancerAddress(cluster(5, 'us-east'), 'hostname')).toEqual({ hostname: 'us-east.lb.example.net' });
  });

  it('depends on nothing but the cluster and the mode', () => {
    expect(loadBalancerAddress(cluster(7), 'ipv4')).toEqual(loadBalancerAddress(cluster(7), 'ipv4'));
  });

  it('refuses indexes beyond the ranges', () => {
    expect(() => loadBalancerAddress(cluster(3 * 245), 'ipv4')).toThrow(/no IPv4/);
    expect(() => loadBalancerAddress(cluster(-1), 'ipv6')).toThrow(/invalid cluster index/);
  });
});

describe('isLoadBalancerMode', () => {
  it('accepts the three modes only', () => {
    expect(['ipv4', 'ipv6', 'hostname', 'IPv4', '', undefined].map(isLoadBalancerMode)).toEqual([true, true, true, false, false, false]);
  });
});
