import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { lintChart, renderChart } from './helpers/helm.ts';
import { ofKind, podSpec, type Container, type KubeObject } from './helpers/objects.ts';
import { policyViolations } from './helpers/policy.ts';
import { validationError } from './helpers/validation.ts';

const VALUES = {
  globalQuery: {
    enabled: true,
    prometheusClusters: ['cloud-clusters', 'edge'],
    grpcClientTLS: { enabled: true, existingSecret: 'global-query-client-tls', serverName: 'store.example.com' },
    ingress: { enabled: true, className: 'nginx', host: 'query.global.example.com', tlsSecret: 'query-global-tls' },
    storeGateway: { enabled: true, bucketSecret: 'shared-bucket' },
  },
};

interface Volume {
  name: string;
  configMap?: { name: string; optional?: boolean };
  secret?: { secretName: string };
}
type Pod = ReturnType<typeof podSpec> & { volumes?: Volume[]; automountServiceAccountToken?: boolean };
type MountingContainer = Container & { volumeMounts?: { name: string; mountPath: string; subPath?: string }[] };

const named = (objects: readonly KubeObject[], kind: string, suffix: string) => ofKind(objects, kind).find((o) => o.metadata.name.endsWith(suffix));

describe('promfleet-hub globalQuery', () => {
  it('renders a global Thanos Query that reads each PrometheusCluster’s file-SD ConfigMap, valid and within the policy', async () => {
    const objects = await renderChart('promfleet-hub', { set: VALUES });
    expect(objects.map(validationError).filter(Boolean)).toEqual([]);
    expect(policyViolations(objects, { clusterWideSecretReads: false, secretVerbs: ['get', 'list', 'watch', 'delete'] })).toEqual([]);
    const deployment = named(objects, 'Deployment', '-global-query');
    if (!deployment) throw new Error('no global Query Deployment');
    const pod = podSpec(deployment) as Pod;
    const [query] = pod.containers as MountingContainer[];
    const args = query?.args ?? [];
    expect(args[0]).toBe('query');
    // The mounted file, as Thanos reads it: Prometheus file SD, re-read on change and every sdInterval.
    for (const cluster of ['cloud-clusters', 'edge']) {
      expect(args).toContain(`--store.sd-files=/etc/thanos/store-sd/${cluster}/stores.json`);
      const volume = pod.volumes?.find((v) => v.configMap?.name === `${cluster}-store-endpoints`);
      expect(volume?.configMap?.optional).toBe(true);
      // Whole-directory mount: a subPath mount never sees the hub's updates.
      expect(query?.volumeMounts).toContainEqual({ name: volume?.name, mountPath: `/etc/thanos/store-sd/${cluster}`, readOnly: true });
    }
    expect(query?.volumeMounts?.some((m) => m.subPath !== undefined)).toBe(false);
    expect(args).toEqual(
      expect.arrayContaining([
        '--query.replica-label=replica',
        '--store.sd-interval=1m',
        '--grpc-client-tls-secure',
        '--grpc-client-tls-cert=/etc/thanos/grpc-client-tls/tls.crt',
        '--grpc-client-tls-key=/etc/thanos/grpc-client-tls/tls.key',
        '--grpc-client-tls-ca=/etc/thanos/grpc-client-tls/ca.crt',
        '--grpc-client-server-name=store.example.com',
        '--endpoint=dnssrv+_grpc._tcp.promfleet-hub-store-gateway.promfleet-system.svc',
      ]),
    );
    expect(pod.volumes?.find((v) => v.name === 'grpc-client-tls')?.secret?.secretName).toBe('global-query-client-tls');
    expect(pod.automountServiceAccountToken).toBe(false);
    // Its own Service and Ingress, selecting only its pods; the hub's Service does not select them.
    const labels = (deployment as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    const selects = (service: KubeObject | undefined) =>
      Object.entries((service as unknown as { spec: { selector: Record<string, string> } }).spec.selector).every(([k, v]) => labels[k] === v);
    expect(selects(named(objects, 'Service', '-global-query'))).toBe(true);
    expect(selects(ofKind(objects, 'Service').find((s) => s.metadata.name === 'promfleet-hub'))).toBe(false);
    expect((named(objects, 'Ingress', '-global-query') as unknown as { spec: { rules: { host: string }[] } }).spec.rules[0]?.host).toBe(
      'query.global.example.com',
    );
    expect(named(objects, 'Deployment', '-store-gateway')).toBeDefined();
  });

  it('passes helm lint --strict with it on', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'promfleet-global-query-')), 'values.yaml');
    try {
      writeFileSync(file, stringify(VALUES));
      await expect(lintChart('promfleet-hub', file)).resolves.toContain('0 chart(s) failed');
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  it('renders nothing of it by default, and refuses it without a PrometheusCluster to read', async () => {
    const objects = await renderChart('promfleet-hub');
    expect(objects.filter((o) => o.metadata.name.includes('global-query') || o.metadata.name.includes('store-gateway'))).toEqual([]);
    await expect(renderChart('promfleet-hub', { set: { globalQuery: { enabled: true } } })).rejects.toThrow(
      /globalQuery.enabled needs globalQuery.prometheusClusters/,
    );
    await expect(renderChart('promfleet-hub', { set: { globalQuery: { enabled: true, prometheusClusters: ['Bad_Name'] } } })).rejects.toThrow(
      /prometheusClusters/,
    );
  });
});
