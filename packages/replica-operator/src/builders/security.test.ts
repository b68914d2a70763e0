import { matchesLabelSelector, validate, type LabelSelector, type PrometheusReplicaSpecInput } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { renderPrometheusConfig } from '../config/prometheus-config.ts';
import { desiredChildren, type DesiredChildren } from './children.ts';

// What a replica exposes and runs as: pod identity, Grafana credentials, Ingress TLS, NetworkPolicies.

function replica(spec: Partial<PrometheusReplicaSpecInput>) {
  const result = validate('PrometheusReplica', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusReplica',
    metadata: { name: 'demo', namespace: 'monitoring', uid: '6f1c2a8e-0000-4000-8000-000000000001', generation: 1 },
    spec: { configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const config = renderPrometheusConfig({
  configMapName: 'prometheus-config',
  key: 'prometheus.yml',
  data: { 'prometheus.yml': 'scrape_configs: []\n' },
  clusterName: 'eu-west',
  externalLabels: undefined,
});
if (!config.ok) throw new Error(config.message);
const inputs = {
  config,
  bucketSecretHash: '0123456789abcdef',
  clusterDomain: 'cluster.local',
  pdbApiVersion: 'policy/v1' as const,
  grafanaAdmin: { secretName: 'demo-grafana-admin', hash: '1111111111111111' },
};
const build = (spec: Partial<PrometheusReplicaSpecInput>, overrides: Partial<typeof inputs> = {}) =>
  desiredChildren(replica(spec), { ...inputs, ...overrides });

type Template = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { automountServiceAccountToken?: boolean; serviceAccountName?: string };
};
function templates(children: DesiredChildren): Map<string, Template> {
  return new Map([...children.statefulSets, ...children.deployments].map((workload) => [workload.metadata?.name ?? '', workload.spec?.template as Template]));
}

describe('pod identity', () => {
  it('gives Prometheus its own ServiceAccount and mounts no token in Store, Query and Grafana', () => {
    const children = build({ grafana: { enabled: true } });
    const pods = templates(children);
    expect(pods.get('demo-prometheus')?.spec?.serviceAccountName).toBe('demo-prometheus');
    expect(pods.get('demo-prometheus')?.spec?.automountServiceAccountToken).toBeUndefined();
    for (const name of ['demo-thanos-store', 'demo-thanos-query', 'demo-compactor', 'demo-grafana'])
      expect(pods.get(name)?.spec?.automountServiceAccountToken, name).toBe(false);
    expect(children.serviceAccounts.map((account) => account.metadata?.name)).toEqual(['demo-prometheus']);
  });

  it('grants discovery reads in the namespace only with kubernetesDiscovery, bound to that ServiceAccount', () => {
    expect(build({}).roles).toEqual([]);
    expect(build({}).roleBindings).toEqual([]);
    const children = build({ kubernetesDiscovery: true });
    expect(children.roles[0]?.rules?.flatMap((rule) => rule.verbs)).not.toContain('create');
    expect(children.roles[0]?.rules?.flatMap((rule) => rule.resources)).toEqual(['pods', 'services', 'endpoints', 'endpointslices', 'ingresses']);
    expect(children.roleBindings[0]).toMatchObject({
      metadata: { name: 'demo-prometheus', namespace: 'monitoring' },
      roleRef: { kind: 'Role', name: 'demo-prometheus' },
      subjects: [{ kind: 'ServiceAccount', name: 'demo-prometheus', namespace: 'monitoring' }],
    });
  });
});

describe('Grafana credentials', () => {
  const grafana = (children: DesiredChildren) => children.deployments.find((d) => d.metadata?.name === 'demo-grafana')?.spec?.template.spec;

  it('reads the admin from the Secret through __FILE variables, never a default, with anonymous access off', () => {
    const pod = grafana(build({ grafana: { enabled: true } }));
    const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((v) => [v.name, v.value]));
    expect(env.GF_SECURITY_ADMIN_USER__FILE).toBe('/etc/grafana/admin/admin-user');
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/etc/grafana/admin/admin-password');
    expect(env).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD');
    expect(env).not.toHaveProperty('GF_SECURITY_ADMIN_USER');
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(env.GF_SECURITY_DATA_SOURCE_PROXY_WHITELIST).toBe('demo-thanos-query.monitoring.svc.cluster.local:9090');
    const volume = pod?.volumes?.find((v) => v.name === 'admin');
    expect(volume?.secret).toMatchObject({
      secretName: 'demo-grafana-admin',
      items: [
        { key: 'admin-user', path: 'admin-user' },
        { key: 'admin-password', path: 'admin-password' },
      ],
    });
    expect(volume?.secret?.optional).toBeUndefined();
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({ name: 'admin', mountPath: '/etc/grafana/admin', readOnly: true });
  });

  it('rolls Grafana when the credentials change, and refuses to build it without them', () => {
    const before = templates(build({ grafana: { enabled: true } })).get('demo-grafana');
    const after = templates(build({ grafana: { enabled: true } }, { grafanaAdmin: { secretName: 'demo-grafana-admin', hash: '2222222222222222' } })).get(
      'demo-grafana',
    );
    expect(after?.metadata?.annotations?.['promfleet.io/grafana-admin-hash']).not.toBe(before?.metadata?.annotations?.['promfleet.io/grafana-admin-hash']);
    expect(() => desiredChildren(replica({ grafana: { enabled: true } }), { ...inputs, grafanaAdmin: undefined })).toThrow(/admin Secret/);
  });

  it('marks the session cookie secure when the Ingress serves TLS', () => {
    const cookie = (spec: Partial<PrometheusReplicaSpecInput>) =>
      grafana(build(spec))?.containers[0]?.env?.find((v) => v.name === 'GF_SECURITY_COOKIE_SECURE')?.value;
    expect(cookie({ grafana: { enabled: true }, baseDomain: 'x.example.com' })).toBeUndefined();
    expect(cookie({ grafana: { enabled: true }, baseDomain: 'x.example.com', ingress: { tls: {} } })).toBe('true');
  });
});

describe('Ingress', () => {
  const ingress = (spec: Partial<PrometheusReplicaSpecInput>, ingressClassName?: string) =>
    build({ baseDomain: 'prometheus.example.com', ...spec }, ingressClassName ? ({ ingressClassName } as never) : {}).ingresses[0];

  it('lists every host in spec.tls, with the named Secret or the one cert-manager fills', () => {
    expect(ingress({})?.spec?.tls).toBeUndefined();
    expect(ingress({ grafana: { enabled: true }, ingress: { tls: { secretName: 'wildcard' } } })?.spec?.tls).toEqual([
      { hosts: ['query.prometheus.example.com', 'grafana.prometheus.example.com'], secretName: 'wildcard' },
    ]);
    expect(ingress({ ingress: { tls: {} } })?.spec?.tls).toEqual([{ hosts: ['query.prometheus.example.com'], secretName: 'demo-ingress-tls' }]);
  });

  it("takes the replica's class over the operator's, and its annotations", () => {
    expect(ingress({}, 'nginx')?.spec?.ingressClassName).toBe('nginx');
    expect(ingress({ ingress: { className: 'internal' } }, 'nginx')?.spec?.ingressClassName).toBe('internal');
    const annotated = ingress({ ingress: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } });
    expect(annotated?.metadata?.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
  });
});

describe('NetworkPolicies', () => {
  const labelsOf = (children: DesiredChildren, workload: string) => templates(children).get(workload)?.metadata?.labels ?? {};

  it('are created only when enabled', () => {
    expect(build({}).networkPolicies).toEqual([]);
    expect(build({ networkPolicy: { enabled: false } }).networkPolicies).toEqual([]);
  });

  it('select each tier and admit only its clients: Prometheus from its pods, Query, Grafana, the ingress controller; Store from Query; Query from Grafana and the ingress controller; the Compactor from nobody', () => {
    const children = build({ grafana: { enabled: true }, networkPolicy: { enabled: true, ingressControllerNamespaces: { matchLabels: { team: 'ingress' } } } });
    const byName = new Map(children.networkPolicies.map((policy) => [policy.metadata?.name, policy.spec]));
    expect([...byName.keys()]).toEqual(['demo-prometheus', 'demo-thanos-store', 'demo-thanos-query', 'demo-thanos-compact', 'demo-grafana']);
    const selects = (policy: string, workload: string) =>
      matchesLabelSelector((byName.get(policy)?.podSelector ?? {}) as LabelSelector, labelsOf(children, workload));
    const workloads = ['demo-prometheus', 'demo-thanos-store', 'demo-thanos-query', 'demo-compactor', 'demo-grafana'];
    // Each policy is named after its tier; the Compactor's workload is demo-compactor.
    const workloadOf = (policy: string) => (policy === 'demo-thanos-compact' ? 'demo-compactor' : policy);
    for (const policy of byName.keys()) expect(workloads.filter((workload) => selects(policy ?? '', workload))).toEqual([workloadOf(policy ?? '')]);

    // Which workloads' pods (and which namespaces) each policy admits, on which ports.
    const admitted = (policy: string) =>
      (byName.get(policy)?.ingress ?? []).map((rule) => ({
        ports: (rule.ports ?? []).map((port) => port.port),
        pods: workloads.filter((workload) =>
          (rule.from ?? []).some(
            (peer) => peer.podSelector && !peer.namespaceSelector && matchesLabelSelector(peer.podSelector as LabelSelector, labelsOf(children, workload)),
          ),
        ),
        namespaces: (rule.from ?? []).filter((peer) => peer.namespaceSelector).map((peer) => peer.namespaceSelector),
      }));
    const ingressController = [{ matchLabels: { team: 'ingress' } }];
    expect(admitted('demo-prometheus')).toEqual([
      { ports: [9090], pods: ['demo-prometheus', 'demo-thanos-query', 'demo-grafana'], namespaces: ingressController },
      { ports: [10901], pods: ['demo-thanos-query'], namespaces: [] },
    ]);
    expect(admitted('demo-thanos-store')).toEqual([{ ports: [10901], pods: ['demo-thanos-query'], namespaces: [] }]);
    expect(admitted('demo-thanos-query')).toEqual([{ ports: [9090], pods: ['demo-grafana'], namespaces: ingressController }]);
    expect(admitted('demo-grafana')).toEqual([{ ports: [3000], pods: [], namespaces: ingressController }]);
    expect(admitted('demo-thanos-compact')).toEqual([]);
    expect(byName.get('demo-thanos-compact')?.policyTypes).toEqual(['Ingress']);
  });

  it('let Grafana connect only to Query and DNS', () => {
    const children = build({ grafana: { enabled: true }, networkPolicy: { enabled: true } });
    const grafana = children.networkPolicies.find((policy) => policy.metadata?.name === 'demo-grafana')?.spec;
    expect(grafana?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(grafana?.egress).toEqual([
      {
        to: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'thanos', 'app.kubernetes.io/instance': 'demo', 'app.kubernetes.io/component': 'thanos-query' },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9090 }],
      },
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    for (const policy of children.networkPolicies.filter((p) => p.metadata?.name !== 'demo-grafana')) expect(policy.spec?.policyTypes).toEqual(['Ingress']);
  });

  it('default to the ingress-nginx namespace, and leave Grafana out without Grafana', () => {
    const children = build({ networkPolicy: { enabled: true } });
    expect(children.networkPolicies.map((policy) => policy.metadata?.name)).toEqual([
      'demo-prometheus',
      'demo-thanos-store',
      'demo-thanos-query',
      'demo-thanos-compact',
    ]);
    expect(build({ networkPolicy: { enabled: true }, compaction: { enabled: false } }).networkPolicies.map((policy) => policy.metadata?.name)).toEqual([
      'demo-prometheus',
      'demo-thanos-store',
      'demo-thanos-query',
    ]);
    const query = children.networkPolicies.find((policy) => policy.metadata?.name === 'demo-thanos-query');
    expect(query?.spec?.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
    ]);
  });
});
