import {
  CoreEvents,
  Deployments,
  Ingresses,
  Namespaces,
  Pods,
  ResourceClient,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  StatefulSets,
  type KubeClient,
  type ResourceType,
} from '@promfleet/kube/client';
import type { IPodTemplateSpec } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { NetworkPolicies } from '../src/controller/caches.ts';
import { eventually, nudge, replica, useOperatorFleet, waitForPhase } from './harness.ts';

// What a replica exposes, runs and may touch, on a real API server: the Grafana admin Secret,
// Ingress TLS, the image allow-list, pod identity and NetworkPolicies, each changed on a running
// replica. The operator allows the pinned registries and one mirror.
const MIRROR = 'registry.example.com/mirror/';
const env = useOperatorFleet([`--allowed-image-prefixes=quay.io/prometheus/,quay.io/thanos/,docker.io/grafana/,${MIRROR}`]);

const kinds = {
  statefulSets: () => new ResourceClient(env.api.client, StatefulSets),
  deployments: () => new ResourceClient(env.api.client, Deployments),
  ingresses: () => new ResourceClient(env.api.client, Ingresses),
  policies: () => new ResourceClient(env.api.client, NetworkPolicies),
  pods: () => new ResourceClient(env.api.client, Pods),
};
const condition = async (ns: string, type: string) => (await env.api.replicas.get('demo', ns))?.status?.conditions?.find((c) => c.type === type);
const grafanaTemplate = async (ns: string): Promise<IPodTemplateSpec | undefined> => (await kinds.deployments().get('demo-grafana', ns))?.spec?.template;
const adminVolume = (template: IPodTemplateSpec | undefined) => template?.spec?.volumes?.find((v) => v.name === 'admin')?.secret?.secretName;
const adminHash = (template: IPodTemplateSpec | undefined) => template?.metadata?.annotations?.['promfleet.io/grafana-admin-hash'];
const selectorText = (labels: Record<string, string> | undefined) =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

async function canI(client: KubeClient, user: string, verb: string, resource: string, namespace: string): Promise<boolean> {
  const review = await client.request<{ status?: { allowed?: boolean } }>({
    verb: 'create',
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: { verb, resource, namespace } },
    },
  });
  return review.status?.allowed === true;
}

describe('Grafana credentials', () => {
  it('generates the admin Secret once (32+ random characters, owned by the replica) and never rotates it; a deleted one is generated anew', async () => {
    const ns = await env.namespace('grafana-generated');
    await env.api.replicas.create(replica('demo', ns, { grafana: { enabled: true } }));
    const running = await waitForPhase(env.api, ns, 'demo', 'Running');
    expect(running.status?.conditions?.find((c) => c.type === 'GrafanaAdminSecretValid')).toMatchObject({ status: 'True', reason: 'Valid' });
    const secret = await env.api.secrets.get('demo-grafana-admin', ns);
    const password = Buffer.from(secret?.data?.['admin-password'] ?? '', 'base64').toString();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(secret?.data?.['admin-user'] ?? '', 'base64').toString()).toBe('admin');
    expect(secret?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'PrometheusReplica', name: 'demo', uid: running.metadata.uid, controller: true }),
    ]);
    expect(adminVolume(await grafanaTemplate(ns))).toBe('demo-grafana-admin');
    const events = (await new ResourceClient(env.api.client, CoreEvents).list({ namespace: ns })).items.filter((e) => e.reason === 'GrafanaAdminGenerated');
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(password);

    // Reconciles come and go (a spec change, several poll intervals): the Secret stays as it was.
    await env.api.replicas.patch('demo', ns, { spec: { highlyAvailable: true } });
    await eventually('HA running', async () => (await waitForPhase(env.api, ns, 'demo', 'Running')).status?.readyPods === '6/6');
    for (let round = 0; round < 3; round++) await nudge(env.api, env.operator, ns, 'demo');
    expect((await env.api.secrets.get('demo-grafana-admin', ns))?.metadata?.resourceVersion).toBe(secret?.metadata?.resourceVersion);

    const before = adminHash(await grafanaTemplate(ns));
    await env.api.secrets.delete('demo-grafana-admin', ns);
    const regenerated = await eventually('a new Secret', async () => {
      const next = await env.api.secrets.get('demo-grafana-admin', ns);
      return next && next.metadata?.uid !== secret?.metadata?.uid ? next : undefined;
    });
    expect(regenerated.data?.['admin-password']).not.toBe(secret?.data?.['admin-password']);
    await eventually('Grafana rolled onto it', async () => adminHash(await grafanaTemplate(ns)) !== before);
  });

  it('uses the Secret the replica names: refuses to run Grafana while it is missing or incomplete, rolls Grafana when it changes', async () => {
    const ns = await env.namespace('grafana-supplied');
    await env.api.replicas.create(replica('demo', ns, { grafana: { enabled: true, adminSecret: 'team-grafana' } }));
    const missing = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(missing.status?.conditions?.find((c) => c.type === 'GrafanaAdminSecretValid')).toMatchObject({
      status: 'False',
      reason: 'SecretNotFound',
      message: 'Secret team-grafana not found',
    });
    expect(await kinds.deployments().get('demo-grafana', ns)).toBeUndefined();

    await env.api.secrets.create({ metadata: { name: 'team-grafana', namespace: ns }, stringData: { 'admin-user': 'team' } });
    await eventually('SecretKeyMissing', async () => (await condition(ns, 'GrafanaAdminSecretValid'))?.reason === 'SecretKeyMissing');
    expect((await condition(ns, 'GrafanaAdminSecretValid'))?.message).toBe('Secret team-grafana has no admin-password (or it is empty)');
    expect(await kinds.deployments().get('demo-grafana', ns)).toBeUndefined();

    await env.api.secrets.patch('team-grafana', ns, { stringData: { 'admin-password': 'correct horse battery staple' } });
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const template = await grafanaTemplate(ns);
    expect(adminVolume(template)).toBe('team-grafana');
    expect(await env.api.secrets.get('demo-grafana-admin', ns)).toBeUndefined();

    await env.api.secrets.patch('team-grafana', ns, { stringData: { 'admin-password': 'another one' } });
    await eventually('Grafana rolled', async () => adminHash(await grafanaTemplate(ns)) !== adminHash(template));

    // Back to a generated one, on the running replica.
    await env.api.replicas.patch('demo', ns, { spec: { grafana: { adminSecret: null } } });
    await eventually('Grafana on the generated Secret', async () => adminVolume(await grafanaTemplate(ns)) === 'demo-grafana-admin');
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });
});

describe('Ingress', () => {
  it('serves every host over TLS with the class and annotations of the replica, and follows changes', async () => {
    const ns = await env.namespace('ingress-tls');
    await env.api.replicas.create(
      replica('demo', ns, {
        baseDomain: 'prometheus.example.com',
        grafana: { enabled: true },
        ingress: { className: 'nginx', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' }, tls: {} },
      }),
    );
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const ingress = await kinds.ingresses().get('demo', ns);
    expect(ingress?.spec?.ingressClassName).toBe('nginx');
    expect(ingress?.metadata?.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect(ingress?.spec?.tls).toEqual([{ hosts: ['query.prometheus.example.com', 'grafana.prometheus.example.com'], secretName: 'demo-ingress-tls' }]);

    await env.api.replicas.patch('demo', ns, { spec: { ingress: { className: 'internal', annotations: null, tls: { secretName: 'wildcard-example-com' } } } });
    const changed = await eventually('the Ingress changed', async () => {
      const current = await kinds.ingresses().get('demo', ns);
      return current?.spec?.tls?.[0]?.secretName === 'wildcard-example-com' ? current : undefined;
    });
    expect(changed.spec?.ingressClassName).toBe('internal');
    expect(changed.metadata?.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();

    await env.api.replicas.patch('demo', ns, { spec: { ingress: null } });
    await eventually('plain HTTP again', async () => (await kinds.ingresses().get('demo', ns))?.spec?.tls === undefined);
  });
});

describe('image allow-list', () => {
  it('creates nothing for a replica naming an image outside it, and says which field', async () => {
    const ns = await env.namespace('image-refused');
    await env.api.replicas.create(replica('demo', ns, { images: { prometheus: 'evil.example.com/prometheus:v3.5.0' } }));
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'ConfigValid')).toMatchObject({ status: 'False', reason: 'ImageNotAllowed' });
    expect(failed.status?.conditions?.find((c) => c.type === 'ConfigValid')?.message).toMatch(
      /^spec\.images\.prometheus: "evil\.example\.com\/prometheus:v3\.5\.0" is not allowed/,
    );
    const owned = await Promise.all(
      ([StatefulSets, Deployments, Services, ServiceAccounts, NetworkPolicies] as ResourceType[]).map(
        async (type) =>
          (await new ResourceClient(env.api.client, type).list({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=promfleet-replica-operator' }))
            .items.length,
      ),
    );
    expect(owned).toEqual([0, 0, 0, 0, 0]);
    expect((await env.api.configMaps.list({ namespace: ns })).items.map((c) => c.metadata?.name)).toEqual(['prometheus-config']);
  });

  it('leaves a running replica exactly as it runs when its image changes to a refused one, and applies an allowed one', async () => {
    const ns = await env.namespace('image-running');
    await env.api.replicas.create(replica('demo', ns, { grafana: { enabled: true } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const workloads = async () => {
      const sets = (await kinds.statefulSets().list({ namespace: ns })).items;
      const deployments = (await kinds.deployments().list({ namespace: ns })).items;
      return [...sets, ...deployments].map((w) => ({
        name: w.metadata?.name,
        generation: w.metadata?.generation,
        images: w.spec?.template.spec?.containers.map((c) => c.image),
      }));
    };
    const before = await workloads();

    await env.api.replicas.patch('demo', ns, { spec: { images: { thanos: 'docker.io/attacker/thanos:v0.39.2' } } });
    const refused = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(refused.status?.conditions?.find((c) => c.type === 'ConfigValid')).toMatchObject({ reason: 'ImageNotAllowed' });
    expect(refused.status?.conditions?.find((c) => c.type === 'ConfigValid')?.message).toContain(
      'spec.images.thanos: "docker.io/attacker/thanos:v0.39.2" is not allowed',
    );
    // Another change on top is held back too.
    await env.api.replicas.patch('demo', ns, { spec: { highlyAvailable: true } });
    await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(await workloads()).toEqual(before);

    await env.api.replicas.patch('demo', ns, { spec: { images: { thanos: `${MIRROR}thanos:v0.39.2` } } });
    await eventually('the mirror image applied', async () =>
      (await workloads()).filter((w) => w.name?.startsWith('demo-thanos')).every((w) => w.images?.every((image) => image === `${MIRROR}thanos:v0.39.2`)),
    );
    await waitForPhase(env.api, ns, 'demo', 'Running');
  });
});

describe('pod identity', () => {
  it('runs Prometheus as its own ServiceAccount and mounts no token in the other pods; kubernetesDiscovery grants reads in the namespace alone', async () => {
    const ns = await env.namespace('identity');
    await env.api.replicas.create(replica('demo', ns, { grafana: { enabled: true } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    expect(await new ResourceClient(env.api.client, ServiceAccounts).get('demo-prometheus', ns)).toBeDefined();
    const pods = (await kinds.pods().list({ namespace: ns })).items;
    const byComponent = (component: string) => pods.filter((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === component);
    expect(byComponent('prometheus').map((p) => p.spec?.serviceAccountName)).toEqual(['demo-prometheus']);
    for (const component of ['thanos-store', 'thanos-query', 'grafana']) {
      expect(byComponent(component).length, component).toBeGreaterThan(0);
      for (const pod of byComponent(component)) expect(pod.spec?.automountServiceAccountToken, component).toBe(false);
    }
    const prometheus = `system:serviceaccount:${ns}:demo-prometheus`;
    expect(await canI(env.api.client, prometheus, 'list', 'pods', ns)).toBe(false);

    await env.api.replicas.patch('demo', ns, { spec: { kubernetesDiscovery: true } });
    await eventually('discovery granted', () => canI(env.api.client, prometheus, 'list', 'pods', ns));
    expect(await canI(env.api.client, prometheus, 'watch', 'endpoints', ns)).toBe(true);
    expect(await canI(env.api.client, prometheus, 'list', 'pods', 'default')).toBe(false);
    expect(await canI(env.api.client, prometheus, 'get', 'secrets', ns)).toBe(false);

    await env.api.replicas.patch('demo', ns, { spec: { kubernetesDiscovery: false } });
    await eventually('the Role and RoleBinding removed', async () => {
      const roles = (await new ResourceClient(env.api.client, Roles).list({ namespace: ns })).items;
      const bindings = (await new ResourceClient(env.api.client, RoleBindings).list({ namespace: ns })).items;
      return roles.length === 0 && bindings.length === 0;
    });
    expect(await canI(env.api.client, prometheus, 'list', 'pods', ns)).toBe(false);
  });
});

describe('NetworkPolicies', () => {
  it('select exactly their tier’s pods, admit its clients and the ingress controller’s namespace, and follow changes', async () => {
    const ns = await env.namespace('netpol');
    // v1.20 does not label namespaces with their name yet; the ingress controller's namespace is labelled by hand.
    const namespaces = new ResourceClient(env.api.client, Namespaces);
    await namespaces.create({ metadata: { name: 'ingress-nginx', labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } });
    await namespaces.create({ metadata: { name: 'edge', labels: { role: 'ingress' } } });
    await env.api.replicas.create(replica('demo', ns, { grafana: { enabled: true } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    expect((await kinds.policies().list({ namespace: ns })).items).toEqual([]);

    await env.api.replicas.patch('demo', ns, { spec: { networkPolicy: { enabled: true } } });
    const policies = await eventually('five NetworkPolicies', async () => {
      const items = (await kinds.policies().list({ namespace: ns })).items;
      return items.length === 5 ? items : undefined;
    });
    const podsOf = async (labels: Record<string, string> | undefined) =>
      (await kinds.pods().list({ namespace: ns, labelSelector: selectorText(labels) })).items.map((p) => p.metadata?.labels?.['app.kubernetes.io/component']);
    const namespacesOf = async (labels: Record<string, string> | undefined) =>
      (await namespaces.list({ labelSelector: selectorText(labels) })).items.map((n) => n.metadata?.name);
    const admitted = new Map<string, string[]>();
    for (const policy of policies) {
      const component = policy.metadata?.name?.replace('demo-', '') ?? '';
      // Each policy selects every pod of its tier and nothing else.
      const selected = await podsOf(policy.spec?.podSelector?.matchLabels);
      expect(selected.length, component).toBeGreaterThan(0);
      expect(new Set(selected), component).toEqual(new Set([component]));
      const peers: string[] = [];
      for (const rule of policy.spec?.ingress ?? []) {
        for (const peer of rule.from ?? []) {
          const ports = (rule.ports ?? []).map((p) => String(p.port)).join('+');
          if (peer.namespaceSelector) peers.push(...(await namespacesOf(peer.namespaceSelector.matchLabels)).map((n) => `namespace ${n ?? ''}:${ports}`));
          else peers.push(...new Set((await podsOf(peer.podSelector?.matchLabels)).map((c) => `${c ?? ''}:${ports}`)));
        }
      }
      admitted.set(component, peers.sort());
    }
    expect(Object.fromEntries(admitted)).toEqual({
      prometheus: ['grafana:9090', 'namespace ingress-nginx:9090', 'prometheus:9090', 'thanos-query:10901', 'thanos-query:9090'],
      'thanos-store': ['thanos-query:10901'],
      'thanos-query': ['grafana:9090', 'namespace ingress-nginx:9090'],
      grafana: ['namespace ingress-nginx:3000'],
      'thanos-compact': [],
    });

    await env.api.replicas.patch('demo', ns, { spec: { networkPolicy: { ingressControllerNamespaces: { matchLabels: { role: 'ingress' } } } } });
    await eventually('the edge namespace admitted instead', async () => {
      const query = await kinds.policies().get('demo-thanos-query', ns);
      const selector = query?.spec?.ingress?.[0]?.from?.find((peer) => peer.namespaceSelector)?.namespaceSelector?.matchLabels;
      return JSON.stringify(await namespacesOf(selector)) === '["edge"]';
    });

    await env.api.replicas.patch('demo', ns, { spec: { networkPolicy: { enabled: false } } });
    await eventually('the policies removed', async () => (await kinds.policies().list({ namespace: ns })).items.length === 0);
  });
});
