import { API_VERSION, type MemberCluster, type PrometheusCluster } from '@promfleet/api';

import { BENCH_NAMESPACE, type BenchMember } from './bench-fleet.ts';

/** Label every benchmark member carries, so a PrometheusCluster can select them all. */
export const MEMBER_LABELS = { 'bench.promfleet.io/member': 'true' } as const;

/**
 * A PrometheusCluster selecting every benchmark member, in the hub's `bench` namespace, as a
 * platform team would write it (the CRD fills in the defaults).
 */
export function benchCluster(name: string, spec: Record<string, unknown> = {}): PrometheusCluster {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name, namespace: BENCH_NAMESPACE },
    spec: {
      clusterSelector: { matchLabels: { ...MEMBER_LABELS } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      baseDomain: `${name}.bench.example.com`,
      metrics: { retention: '24h', blockDuration: '2h' },
      ...spec,
    },
  } as unknown as PrometheusCluster;
}

/** What `desiredReplica` reads of a MemberCluster: its name and namespace. */
export function memberClusterOf(member: Pick<BenchMember, 'name' | 'namespace'>): MemberCluster {
  return { metadata: { name: member.name }, spec: { namespace: member.namespace } } as unknown as MemberCluster;
}
