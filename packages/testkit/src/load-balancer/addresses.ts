/** What the fake load balancer reports: one address per cluster, by kind of address. */
export type LoadBalancerMode = 'ipv4' | 'ipv6' | 'hostname';

export const LOAD_BALANCER_MODES: readonly LoadBalancerMode[] = ['ipv4', 'ipv6', 'hostname'];

/** Per-object override of the cluster's mode: `hostname`, `ipv4` or `ipv6`. */
export const LOAD_BALANCER_ANNOTATION = 'testkit.promfleet.io/load-balancer';

export type LoadBalancerIngress = { ip: string; hostname?: never } | { hostname: string; ip?: never };

export function isLoadBalancerMode(value: unknown): value is LoadBalancerMode {
  return LOAD_BALANCER_MODES.includes(value as LoadBalancerMode);
}

// RFC 5737 documentation ranges: never routed, so nothing can ever send traffic to them.
const IPV4_RANGES = ['192.0.2', '198.51.100', '203.0.113'] as const;
const FIRST_HOST = 10;
const IPV4_CLUSTERS = IPV4_RANGES.length * (255 - FIRST_HOST);

/**
 * The address of a cluster's load balancer; a function of the cluster's index in its fleet
 * (and its name, for hostnames), so it is the same on every run. IPv4: cluster 0 gets
 * 192.0.2.10, 1 gets 198.51.100.10, 2 gets 203.0.113.10, 3 gets 192.0.2.11, and so on; IPv6:
 * 2001:db8:<index in hex>::10 (RFC 3849); hostname: `<cluster>.lb.example.net` (RFC 2606).
 */
export function loadBalancerAddress(cluster: { readonly name: string; readonly index: number }, mode: LoadBalancerMode): LoadBalancerIngress {
  const { index } = cluster;
  if (!Number.isInteger(index) || index < 0) throw new Error(`invalid cluster index ${String(index)}`);
  switch (mode) {
    case 'ipv4': {
      if (index >= IPV4_CLUSTERS) throw new Error(`no IPv4 load-balancer address for cluster index ${String(index)}`);
      const range = IPV4_RANGES[index % IPV4_RANGES.length] ?? IPV4_RANGES[0];
      return { ip: `${range}.${String(FIRST_HOST + Math.floor(index / IPV4_RANGES.length))}` };
    }
    case 'ipv6': {
      if (index > 0xffff) throw new Error(`no IPv6 load-balancer address for cluster index ${String(index)}`);
      // Written the canonical way (RFC 5952): cluster 0's zero group folds into the "::".
      return { ip: index === 0 ? '2001:db8::10' : `2001:db8:${index.toString(16)}::10` };
    }
    case 'hostname':
      return { hostname: `${cluster.name.toLowerCase()}.lb.example.net` };
  }
}
