import { KubeClient, Namespaces, ResourceClient, resourceType, type ResourceType } from '@promfleet/kube/client';
import { KitMetrics } from '@promfleet/kube/observability';
import { eventually, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ChartName } from '../src/crd-copies.ts';
import { elsewhere, granted, unexpectedAnswers, withheld, type Access } from './helpers/access.ts';
import { installChart, renderChart, type RenderOptions } from './helpers/helm.ts';
import { ofKind, only, podSpec, type KubeObject } from './helpers/objects.ts';
import { HUB_CLUSTER_RULES, HUB_NAMESPACE_RULES, OPERATOR_LEASE_RULES, OPERATOR_RULES } from './helpers/sources.ts';

// Three releases side by side in one real API server: the hub, the operator as installed by
// default (the monitoring namespace only), and an operator opted into every namespace.
const HUB_NAMESPACE = 'promfleet-system';
const OPERATOR_NAMESPACE = 'promfleet-operator';
const WIDE_NAMESPACE = 'operators';
const WATCHED = 'monitoring';
const OTHER = 'other';

const RELEASES: Record<'hub' | 'operator' | 'wide', { chart: ChartName; options: RenderOptions }> = {
  hub: { chart: 'promfleet-hub', options: { namespace: HUB_NAMESPACE } },
  operator: { chart: 'promfleet-replica-operator', options: { namespace: OPERATOR_NAMESPACE } },
  wide: { chart: 'promfleet-replica-operator', options: { release: 'wide', namespace: WIDE_NAMESPACE, set: { clusterWide: true, crds: { enabled: false } } } },
};

let fleet: Fleet;
let client: KubeClient;
const installs: Record<keyof typeof RELEASES, KubeObject[]> = { hub: [], operator: [], wide: [] };

const CRDS = resourceType('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false);
// Where each kind the charts render lives in the API.
const TYPES: Record<string, ResourceType> = {
  CustomResourceDefinition: CRDS,
  ServiceAccount: resourceType('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  Service: resourceType('', 'v1', 'services', 'Service', true),
  Deployment: resourceType('apps', 'v1', 'deployments', 'Deployment', true),
  PodDisruptionBudget: resourceType('policy', 'v1beta1', 'poddisruptionbudgets', 'PodDisruptionBudget', true),
  ClusterRole: resourceType('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  ClusterRoleBinding: resourceType('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  Role: resourceType('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  RoleBinding: resourceType('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  NetworkPolicy: resourceType('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true),
};

function serviceAccountOf(objects: readonly KubeObject[]): { namespace: string; name: string } {
  const deployment = only(objects, 'Deployment');
  return { namespace: deployment.metadata.namespace ?? '', name: (podSpec(deployment) as unknown as { serviceAccountName: string }).serviceAccountName };
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['charts'], loadBalancer: false });
  const cluster = fleet.cluster('charts');
  client = new KubeClient(cluster.kubeConfig, { cluster: 'charts', metrics: new KitMetrics() });
  // Namespaces other than the releases' own: the watched one must exist for the scoped Role.
  for (const name of [WATCHED, OTHER]) await new ResourceClient(client, Namespaces).create({ metadata: { name } });
  for (const [name, { chart, options }] of Object.entries(RELEASES) as [keyof typeof RELEASES, (typeof RELEASES)['hub']][]) {
    installs[name] = await renderChart(chart, options);
    await installChart(chart, cluster.kubeconfigFile, options);
  }
});

afterAll(async () => {
  await client.close();
  await fleet.stop();
});

it('helm install creates every object the charts render', async () => {
  const missing: string[] = [];
  for (const object of Object.values(installs).flat()) {
    const type = TYPES[object.kind];
    if (!type) throw new Error(`no API location for ${object.kind}`);
    if ((await new ResourceClient(client, type).get(object.metadata.name, object.metadata.namespace)) === undefined)
      missing.push(`${object.kind} ${object.metadata.name}`);
  }
  expect(missing).toEqual([]);
});

it('establishes the CRDs both charts install', async () => {
  const names = Object.values(installs).flatMap((objects) => ofKind(objects, 'CustomResourceDefinition').map((crd) => crd.metadata.name));
  expect(names.sort()).toEqual([
    'memberclusters.promfleet.io',
    'prometheusclusters.promfleet.io',
    'prometheusclustershards.promfleet.io',
    'prometheusreplicas.promfleet.io',
  ]);
  const crds = new ResourceClient(client, CRDS);
  for (const name of names) {
    await eventually(`${name} established`, async () => {
      const crd = (await crds.get(name)) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
      return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
});

describe('the hub ServiceAccount', () => {
  const account = () => serviceAccountOf(installs.hub);

  it('may do all that HUB_CLUSTER_RULES names, in every namespace, and all that HUB_NAMESPACE_RULES names in its own', async () => {
    const needs = [...granted(HUB_CLUSTER_RULES, [undefined, OTHER]), ...granted(HUB_NAMESPACE_RULES, [HUB_NAMESPACE])];
    expect(needs.length).toBeGreaterThan(50);
    expect(await unexpectedAnswers(client, account(), needs, true)).toEqual([]);
  });

  it('may read Secrets and use a Lease in no other namespace, nor across namespaces', async () => {
    const own = granted(HUB_NAMESPACE_RULES, [HUB_NAMESPACE]);
    expect(
      await unexpectedAnswers(client, account(), [...elsewhere(own, OTHER), ...elsewhere(own, 'kube-system'), ...elsewhere(own, undefined)], false),
    ).toEqual([]);
  });

  it('is denied every other verb on its resources, and what it never needs', async () => {
    const never: Access[] = [
      { verb: 'get', group: '', resource: 'pods', namespace: HUB_NAMESPACE },
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: HUB_NAMESPACE },
      { verb: 'get', group: '', resource: 'services', namespace: HUB_NAMESPACE },
      { verb: 'create', group: 'promfleet.io', resource: 'prometheusreplicas', namespace: OTHER },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: HUB_NAMESPACE },
      { verb: 'impersonate', group: '', resource: 'users' },
    ];
    const denied = [...withheld(HUB_CLUSTER_RULES, [undefined, OTHER]), ...withheld(HUB_NAMESPACE_RULES, [HUB_NAMESPACE]), ...never];
    expect(await unexpectedAnswers(client, account(), denied, false)).toEqual([]);
  });
});

describe('the replica operator ServiceAccount, installed with the defaults', () => {
  const account = () => serviceAccountOf(installs.operator);

  it('may do all that OPERATOR_RULES names in the monitoring namespace, and use its Lease in its own', async () => {
    const needs = [...granted(OPERATOR_RULES, [WATCHED]), ...granted(OPERATOR_LEASE_RULES, [OPERATOR_NAMESPACE])];
    expect(needs.length).toBeGreaterThan(50);
    expect(await unexpectedAnswers(client, account(), needs, true)).toEqual([]);
  });

  it('cannot list Secrets in kube-system nor create Deployments outside its namespaces: none of its rights reach beyond monitoring', async () => {
    const critical: Access[] = [
      { verb: 'list', group: '', resource: 'secrets', namespace: 'kube-system' },
      { verb: 'get', group: '', resource: 'secrets', namespace: 'kube-system' },
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'kube-system' },
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: OTHER },
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: OPERATOR_NAMESPACE },
      { verb: 'create', group: 'apps', resource: 'deployments' },
    ];
    expect(await unexpectedAnswers(client, account(), critical, false)).toEqual([]);
    const needs = granted(OPERATOR_RULES, [WATCHED]);
    const outside = [...elsewhere(needs, OTHER), ...elsewhere(needs, 'kube-system'), ...elsewhere(needs, OPERATOR_NAMESPACE), ...elsewhere(needs, undefined)];
    expect(await unexpectedAnswers(client, account(), outside, false)).toEqual([]);
  });

  it('never lists, watches or changes Secrets, even where it serves', async () => {
    const secrets: Access[] = ['list', 'watch', 'update', 'patch', 'delete', 'deletecollection'].map((verb) => ({
      verb,
      group: '',
      resource: 'secrets',
      namespace: WATCHED,
    }));
    expect(await unexpectedAnswers(client, account(), [...secrets, ...elsewhere(secrets, undefined)], false)).toEqual([]);
  });

  it("is denied every other verb on its resources, RBAC beyond its namespace and the hub's kinds", async () => {
    const never: Access[] = [
      { verb: 'get', group: 'promfleet.io', resource: 'prometheusclusters', namespace: WATCHED },
      { verb: 'list', group: 'promfleet.io', resource: 'memberclusters' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: OTHER },
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: WATCHED },
      { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: WATCHED },
      { verb: 'list', group: '', resource: 'nodes' },
      { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
    ];
    expect(await unexpectedAnswers(client, account(), [...withheld(OPERATOR_RULES, [WATCHED]), ...never], false)).toEqual([]);
  });
});

describe('the replica operator ServiceAccount with clusterWide', () => {
  const account = () => serviceAccountOf(installs.wide);

  it('may do all that OPERATOR_RULES names in every namespace', async () => {
    const needs = granted(OPERATOR_RULES, [undefined, OTHER, WATCHED]);
    expect(await unexpectedAnswers(client, account(), needs, true)).toEqual([]);
  });

  it('still reads Secrets only by name: no list or watch anywhere, no writes but create', async () => {
    const denied = [...withheld(OPERATOR_RULES, [undefined, OTHER]), ...elsewhere(granted(OPERATOR_LEASE_RULES, [WIDE_NAMESPACE]), OTHER)];
    expect(denied.filter((a) => a.resource === 'secrets').map((a) => a.verb)).toEqual(expect.arrayContaining(['list', 'watch', 'update', 'patch', 'delete']));
    expect(await unexpectedAnswers(client, account(), denied, false)).toEqual([]);
  });
});
