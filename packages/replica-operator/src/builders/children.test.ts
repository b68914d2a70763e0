import { validate, type PrometheusReplicaSpecInput } from '@promfleet/api';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { PodDisruptionBudget as PodDisruptionBudgetV1 } from 'kubernetes-models/policy/v1';
import { PodDisruptionBudget as PodDisruptionBudgetV1beta1 } from 'kubernetes-models/policy/v1beta1';
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { parse, stringify } from 'yaml';

import { renderPrometheusConfig } from '../config/prometheus-config.ts';
import { desiredChildren, type DesiredChildren } from './children.ts';
import { generatedGrafanaAdminSecret } from './grafana-secret.ts';

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
  data: {
    'prometheus.yml': 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n',
  },
  clusterName: 'eu-west',
  externalLabels: undefined,
});
if (!config.ok) throw new Error(config.message);

const inputs = {
  config,
  bucketSecretHash: '0123456789abcdef',
  clusterDomain: 'cluster.local',
  pdbApiVersion: 'policy/v1' as const,
  grafanaAdmin: { secretName: 'demo-grafana-admin', hash: 'a1b2c3d4e5f60718' },
};
const rules = {
  files: { 'team-rules-alerts.yaml': 'groups:\n  - name: node\n    rules:\n      - alert: NodeDown\n        expr: up == 0\n' },
  hash: 'abcdef0123456789',
};

const scenarios: Record<string, Partial<PrometheusReplicaSpecInput>> = {
  minimal: {},
  'highly-available': { highlyAvailable: true },
  'base-domain': { baseDomain: 'prometheus.example.com' },
  storage: { storage: { size: '50Gi', storageClassName: 'fast-ssd' }, metrics: { retention: '15d', blockDuration: '2h' } },
  grafana: { grafana: { enabled: true }, baseDomain: 'prometheus.example.com' },
  'rules-and-alerting': {
    rules: { configMaps: ['team-rules'] },
    alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'] }],
    compaction: { retention: { raw: '30d', fiveMinutes: '90d', oneHour: '1y' }, storage: { size: '100Gi', storageClassName: 'standard' } },
  },
  'no-compaction': { compaction: { enabled: false } },
  overrides: {
    images: { prometheus: 'registry.local/prometheus:v3.5.0', thanos: 'registry.local/thanos:v0.39.2' },
    resources: { prometheus: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } }, thanosQuery: { requests: { cpu: 1 } } },
    clusterName: 'eu-west-1',
    externalLabels: { environment: 'production' },
  },
  secured: {
    highlyAvailable: true,
    baseDomain: 'prometheus.example.com',
    grafana: { enabled: true, adminSecret: 'grafana-admin' },
    ingress: {
      className: 'nginx-internal',
      annotations: { 'nginx.ingress.kubernetes.io/auth-url': 'https://oauth2-proxy.example.com/oauth2/auth' },
      tls: { secretName: 'prometheus-example-com' },
    },
    kubernetesDiscovery: true,
    networkPolicy: { enabled: true, ingressControllerNamespaces: { matchLabels: { team: 'ingress' } } },
  },
  'cert-manager': {
    baseDomain: 'prometheus.example.com',
    ingress: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' }, tls: {} },
    networkPolicy: { enabled: true },
  },
};

function all(children: DesiredChildren): { kind?: string }[] {
  return [
    ...children.serviceAccounts,
    ...children.roles,
    ...children.roleBindings,
    ...children.configMaps,
    ...children.services,
    ...children.statefulSets,
    ...children.deployments,
    ...children.ingresses,
    ...children.podDisruptionBudgets,
    ...children.networkPolicies,
  ];
}

describe('desired children', () => {
  for (const [name, spec] of Object.entries(scenarios)) {
    it(`${name}: matches the golden file and every object is a valid Kubernetes object`, async () => {
      const children = desiredChildren(replica(spec), {
        ...inputs,
        grafanaAdmin: { ...inputs.grafanaAdmin, secretName: spec.grafana?.adminSecret ?? 'demo-grafana-admin' },
        ...(spec.rules ? { rules } : {}),
      });
      for (const object of children.configMaps) new ConfigMap(object).validate();
      for (const object of children.services) new Service(object).validate();
      for (const object of children.statefulSets) new StatefulSet(object).validate();
      for (const object of children.deployments) new Deployment(object).validate();
      for (const object of children.ingresses) new Ingress(object).validate();
      for (const object of children.serviceAccounts) new ServiceAccount(object).validate();
      for (const object of children.roles) new Role(object).validate();
      for (const object of children.roleBindings) new RoleBinding(object).validate();
      for (const object of children.networkPolicies) new NetworkPolicy(object).validate();
      for (const { apiVersion: _version, kind: _kind, ...object } of children.podDisruptionBudgets) new PodDisruptionBudgetV1(object).validate();
      await expect(
        all(children)
          .map((object) => stringify(object, { lineWidth: 0 }))
          .join('---\n'),
      ).toMatchFileSnapshot(`../../test/golden/${name}.yaml`);
    });
  }

  it('scales and spreads Prometheus and Query with highlyAvailable, and protects them with PDBs', () => {
    const single = desiredChildren(replica({}), inputs);
    const ha = desiredChildren(replica({ highlyAvailable: true }), inputs);
    expect(single.statefulSets[0]?.spec?.replicas).toBe(1);
    expect(ha.statefulSets[0]?.spec?.replicas).toBe(2);
    expect(ha.deployments[0]?.spec?.replicas).toBe(2);
    expect(single.statefulSets[0]?.spec?.template.spec?.affinity).toBeUndefined();
    expect(ha.statefulSets[0]?.spec?.template.spec?.affinity?.podAntiAffinity).toBeDefined();
    expect(single.podDisruptionBudgets).toEqual([]);
    expect(ha.podDisruptionBudgets.map((p) => p.metadata?.name)).toEqual(['demo-prometheus', 'demo-thanos-query']);
  });

  it('uses the PodDisruptionBudget version discovery chose', () => {
    const children = desiredChildren(replica({ highlyAvailable: true }), { ...inputs, pdbApiVersion: 'policy/v1beta1' });
    for (const { apiVersion, kind: _kind, ...object } of children.podDisruptionBudgets) {
      expect(apiVersion).toBe('policy/v1beta1');
      new PodDisruptionBudgetV1beta1(object as ConstructorParameters<typeof PodDisruptionBudgetV1beta1>[0]).validate();
    }
  });

  it('sets equal min and max block duration and the retention on Prometheus', () => {
    const args = desiredChildren(replica({ metrics: { retention: '15d', blockDuration: '3h' } }), inputs).statefulSets[0]?.spec?.template.spec?.containers[0]
      ?.args;
    expect(args).toContain('--storage.tsdb.retention.time=15d');
    expect(args).toContain('--storage.tsdb.min-block-duration=3h');
    expect(args).toContain('--storage.tsdb.max-block-duration=3h');
  });

  it('rolls Prometheus and Store when the bucket Secret changes, and not when the config changes', () => {
    const before = desiredChildren(replica({}), inputs);
    const secretChanged = desiredChildren(replica({}), { ...inputs, bucketSecretHash: 'fedcba9876543210' });
    const configChanged = desiredChildren(replica({}), { ...inputs, config: { ...config, text: `${config.text}# edited\n`, hash: 'ffff' } });
    const templates = (children: DesiredChildren) => children.statefulSets.map((s) => JSON.stringify(s.spec?.template));
    expect(templates(secretChanged)[0]).not.toBe(templates(before)[0]);
    expect(templates(secretChanged)[1]).not.toBe(templates(before)[1]);
    expect(templates(configChanged)).toEqual(templates(before));
    expect(configChanged.configMaps[0]?.data).not.toEqual(before.configMaps[0]?.data);
  });

  it('points Query at the sidecar and store SRV records, with replica deduplication', () => {
    const args = desiredChildren(replica({}), inputs).deployments[0]?.spec?.template.spec?.containers[0]?.args ?? [];
    expect(args).toContain('--query.replica-label=replica');
    expect(args).toContain('--endpoint=dnssrv+_grpc._tcp.demo-thanos-sidecar.monitoring.svc.cluster.local');
    expect(args).toContain('--endpoint=dnssrv+_grpc._tcp.demo-thanos-store.monitoring.svc.cluster.local');
    expect(args.some((arg) => arg.startsWith('--store'))).toBe(false);
  });

  it('gives every child a controller reference and the standard labels', () => {
    for (const object of all(desiredChildren(replica({ grafana: { enabled: true }, baseDomain: 'x.example.com', highlyAvailable: true }), inputs)) as {
      metadata?: { ownerReferences?: unknown[]; labels?: Record<string, string> };
    }[]) {
      expect(object.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'promfleet.io/v1alpha1',
          kind: 'PrometheusReplica',
          name: 'demo',
          uid: '6f1c2a8e-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(Object.keys(object.metadata?.labels ?? {})).toEqual(
        expect.arrayContaining(['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/managed-by']),
      );
    }
  });

  it('generates the Grafana admin Secret, owned by the replica (golden)', async () => {
    const secret = generatedGrafanaAdminSecret(replica({ grafana: { enabled: true } }), 'x'.repeat(43));
    new Secret(secret).validate();
    await expect(stringify(secret, { lineWidth: 0 })).toMatchFileSnapshot('../../test/golden/grafana-admin-secret.yaml');
  });

  it('adds the Ingress only with a baseDomain, and the Grafana host only with Grafana', () => {
    expect(desiredChildren(replica({}), inputs).ingresses).toEqual([]);
    const hosts = (spec: Partial<PrometheusReplicaSpecInput>) => desiredChildren(replica(spec), inputs).ingresses[0]?.spec?.rules?.map((r) => r.host);
    expect(hosts({ baseDomain: 'prometheus.example.com' })).toEqual(['query.prometheus.example.com']);
    expect(hosts({ baseDomain: 'prometheus.example.com', grafana: { enabled: true } })).toEqual([
      'query.prometheus.example.com',
      'grafana.prometheus.example.com',
    ]);
  });

  it('runs Prometheus as the container process, reading the ConfigMap directly, and the sidecar without rendering', () => {
    const pod = desiredChildren(replica({}), inputs).statefulSets[0]?.spec?.template.spec;
    const [prometheus, sidecar] = pod?.containers ?? [];
    expect(prometheus?.command).toBeUndefined();
    expect(prometheus?.args).toContain('--config.file=/etc/prometheus/config/prometheus.yml');
    expect(prometheus?.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    expect(prometheus?.volumeMounts?.map((m) => m.name)).toEqual(['config', 'data']);
    expect(sidecar?.args?.some((arg) => arg.startsWith('--reloader.config-envsubst-file'))).toBe(false);
    expect(pod?.volumes?.map((v) => v.name)).toEqual(['config', 'objstore', 'data']);
  });

  it('mounts the rule files into Prometheus and the reloader when spec.rules is set', () => {
    const children = desiredChildren(replica({ rules: { configMaps: ['team-rules'] } }), { ...inputs, rules });
    expect(children.configMaps.map((c) => c.metadata?.name)).toEqual(['demo-prometheus-config', 'demo-prometheus-rules']);
    expect(children.configMaps[1]?.data).toEqual(rules.files);
    const [prometheus, sidecar] = children.statefulSets[0]?.spec?.template.spec?.containers ?? [];
    expect(prometheus?.volumeMounts).toContainEqual({ name: 'rules', mountPath: '/etc/prometheus/rules', readOnly: true });
    expect(sidecar?.args).toContain('--reloader.rule-dir=/etc/prometheus/rules');
  });

  it('restricts the Compactor to the blocks of this replica’s pods, whatever the cluster name holds', () => {
    const compactor = (spec: Partial<PrometheusReplicaSpecInput>) =>
      desiredChildren(replica(spec), inputs).statefulSets.find((s) => s.metadata?.name === 'demo-compactor');
    const args = compactor({ clusterName: 'eu.west (1)' })?.spec?.template.spec?.containers[0]?.args ?? [];
    const selector = args.find((arg) => arg.startsWith('--selector.relabel-config='))?.slice('--selector.relabel-config='.length) ?? '';
    const [rule] = parse(selector) as [{ action: string; source_labels: string[]; separator: string; regex: string }];
    expect(rule).toMatchObject({ action: 'keep', source_labels: ['cluster', 'replica'], separator: ';' });
    const matches = (cluster: string, pod: string) => RE2JS.compile(`^(?:${rule.regex})$`).matches(`${cluster};${pod}`);
    expect(matches('eu.west (1)', 'demo-prometheus-0')).toBe(true);
    expect(matches('eu.west (1)', 'demo-prometheus-1')).toBe(true);
    expect(matches('euxwest (1)', 'demo-prometheus-0')).toBe(false);
    expect(matches('eu.west (1)', 'other-prometheus-0')).toBe(false);
    expect(args).not.toContain('--downsampling.disable');
    expect(compactor({ compaction: { downsampling: false, retention: { raw: '1d' } } })?.spec?.template.spec?.containers[0]?.args).toEqual(
      expect.arrayContaining(['--downsampling.disable', '--retention.resolution-raw=1d', '--retention.resolution-5m=0d']),
    );
    expect(compactor({ compaction: { enabled: false } })).toBeUndefined();
  });
});
