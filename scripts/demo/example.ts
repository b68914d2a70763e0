import { API_VERSION, type PrometheusCluster } from '@promfleet/api';
import type { MemberSpec } from '@promfleet/testkit';

/** The demo's fleet: two cloud members and one on-premises. */
export const MEMBERS: readonly MemberSpec[] = [
  { name: 'eu-west', labels: { platform: 'cloud', region: 'eu-west-1' } },
  { name: 'us-east', labels: { platform: 'cloud', region: 'us-east-1' } },
  { name: 'ap-south', labels: { platform: 'onprem', region: 'ap-south-1' } },
];

export const PLATFORM_NAMESPACE = 'platform';

/** The example PrometheusCluster: every cloud member, highly available, one DNS name, each member's StoreAPI for a global Query. */
export const CLOUD_CLUSTERS = {
  apiVersion: API_VERSION,
  kind: 'PrometheusCluster',
  metadata: { name: 'cloud-clusters', namespace: PLATFORM_NAMESPACE },
  spec: {
    clusterSelector: { matchLabels: { platform: 'cloud' } },
    configMap: 'prometheus-config',
    bucketSecret: 's3-bucket',
    highlyAvailable: true,
    baseDomain: 'prometheus.example.com',
    metrics: { retention: '24h', blockDuration: '2h' },
    storeAPI: { expose: 'LoadBalancer' },
  },
} as unknown as PrometheusCluster;
