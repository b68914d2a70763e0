import { describe, expect, it } from 'vitest';

import { checkFleetOptions, kubeletOptions, loadBalancerMode } from './fleet-options.ts';

describe('fleet options', () => {
  it('runs a kubelet by default exactly when a controller-manager runs', () => {
    expect(kubeletOptions({ clusters: ['a'] })).toBeUndefined();
    expect(kubeletOptions({ clusters: ['a'], controllerManager: true })).toEqual({});
    expect(kubeletOptions({ clusters: ['a'], controllerManager: true, kubelet: false })).toBeUndefined();
    expect(kubeletOptions({ clusters: ['a'], kubelet: { readyDelayMs: 5 } })).toEqual({ readyDelayMs: 5 });
  });

  it('runs an IPv4 load balancer by default, with per-cluster modes when given', () => {
    expect(loadBalancerMode({ clusters: ['a'] }, 'a')).toBe('ipv4');
    expect(loadBalancerMode({ clusters: ['a'], loadBalancer: false }, 'a')).toBeUndefined();
    expect(loadBalancerMode({ clusters: ['a', 'b'], loadBalancer: { b: 'hostname' } }, 'b')).toBe('hostname');
    expect(loadBalancerMode({ clusters: ['a', 'b'], loadBalancer: { b: 'hostname' } }, 'a')).toBe('ipv4');
  });

  it('rejects options that cannot work before starting anything', () => {
    expect(() => {
      checkFleetOptions({ clusters: [] });
    }).toThrow(/at least one/);
    expect(() => {
      checkFleetOptions({ clusters: ['a', 'a'] });
    }).toThrow(/unique/);
    expect(() => {
      checkFleetOptions({ clusters: ['EU_West'] });
    }).toThrow(/DNS label/);
    expect(() => {
      checkFleetOptions({ clusters: ['a'], loadBalancer: { b: 'ipv4' } });
    }).toThrow(/unknown cluster "b"/);
    expect(() => {
      checkFleetOptions({ clusters: ['a'], loadBalancer: { a: 'ipv5' as 'ipv4' } });
    }).toThrow(/ipv5/);
    expect(() => {
      checkFleetOptions({ clusters: ['hub', 'eu-west-1'], loadBalancer: { hub: 'ipv6' } });
    }).not.toThrow();
  });
});
