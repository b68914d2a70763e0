import {
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  VersionApi,
  type AuthenticationV1TokenRequest,
  type V1ConfigMap,
  type V1Ingress,
  type V1Namespace,
  type V1Role,
  type V1RoleBinding,
  type V1Service,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { createServer } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { httpsGet } from '../src/http.ts';
import { PortInUseError } from '../src/process/ports.ts';
import { adminTLS, buildKubeconfig, LOAD_BALANCER_ANNOTATION, startFleet, toKubeConfig, type Fleet, type TestCluster } from '../src/index.ts';
import { eventually, model } from './support.ts';

// Three clusters without controller-managers: the API servers themselves, credentials, the
// fake load balancer, and the fault switches.

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['hub', 'eu', 'us'], loadBalancer: { us: 'hostname' } });
  console.log(`testkit: three clusters started in ${String(Math.round(fleet.startupMs))} ms`);
});

afterAll(async () => {
  await fleet.stop();
});

const core = (cluster: TestCluster): CoreV1Api => cluster.kubeConfig.makeApiClient(CoreV1Api);
const networking = (cluster: TestCluster): NetworkingV1Api => cluster.kubeConfig.makeApiClient(NetworkingV1Api);

async function createIngress(cluster: TestCluster, name: string, annotations: Record<string, string> = {}): Promise<void> {
  await networking(cluster).createNamespacedIngress({
    namespace: 'default',
    body: model<V1Ingress>({ metadata: { name, annotations }, spec: { defaultBackend: { service: { name: 'query', port: { number: 9090 } } } } }),
  });
}

/** The Ingress's load-balancer addresses once it has any. */
function ingressAddresses(cluster: TestCluster, name: string, until: (addresses: string[]) => boolean = () => true): Promise<string[]> {
  return eventually(`addresses of ingress ${name} in ${cluster.name}`, async () => {
    const ingress: V1Ingress = await networking(cluster).readNamespacedIngress({ name, namespace: 'default' });
    const addresses = (ingress.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? entry.hostname ?? '');
    return addresses.length > 0 && until(addresses) ? addresses : undefined;
  });
}

describe('a three-cluster fleet', () => {
  it('runs three separate v1.20 API servers, each with its own CA', async () => {
    const versions = await Promise.all(fleet.clusters.map((cluster) => cluster.kubeConfig.makeApiClient(VersionApi).getCode()));
    expect(versions.map((version) => version.gitVersion)).toEqual(['v1.20.2', 'v1.20.2', 'v1.20.2']);
    expect(new Set(fleet.clusters.map((cluster) => cluster.server)).size).toBe(3);
    expect(new Set(fleet.clusters.map((cluster) => cluster.ca)).size).toBe(3);
    // One etcd, separate data: an object in one cluster is not in another.
    await core(fleet.cluster('hub')).createNamespace({ body: model<V1Namespace>({ metadata: { name: 'only-in-hub' } }) });
    await expect(core(fleet.cluster('eu')).readNamespace({ name: 'only-in-hub' })).rejects.toMatchObject({ code: 404 });
  });

  it('serves no profiler unless asked: /debug/pprof is 404 and cpuProfile refuses', async () => {
    const hub = fleet.cluster('hub');
    const tls = adminTLS(hub.pki);
    expect((await httpsGet(`${hub.server}/debug/pprof/`, tls)).status).toBe(404);
    await expect(hub.apiServer.cpuProfile(1)).rejects.toThrow(/runs without profiling/);
  });

  it('serves server-side apply, and a second identical apply changes nothing', async () => {
    const api = core(fleet.cluster('hub'));
    const apply = () =>
      api.patchNamespacedConfigMap(
        {
          name: 'applied',
          namespace: 'default',
          fieldManager: 'testkit-test',
          force: true,
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'default' }, data: { 'prometheus.yml': 'global: {}\n' } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    const first = await apply();
    const second = await apply();
    expect(first.data).toEqual({ 'prometheus.yml': 'global: {}\n' });
    expect(first.metadata?.managedFields?.map((field) => [field.manager, field.operation])).toEqual([['testkit-test', 'Apply']]);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('authenticates a TokenRequest token and limits it to its Role', async () => {
    const cluster = fleet.cluster('eu');
    const namespace = 'scoped';
    const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await core(cluster).createNamespace({ body: model<V1Namespace>({ metadata: { name: namespace } }) });
    await core(cluster).createNamespacedServiceAccount({ namespace, body: model<V1ServiceAccount>({ metadata: { name: 'hub' } }) });
    await rbac.createNamespacedRole({
      namespace,
      body: model<V1Role>({ metadata: { name: 'configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }] }),
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: model<V1RoleBinding>({
        metadata: { name: 'hub' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'hub', namespace }],
      }),
    });
    const request = await core(cluster).createNamespacedServiceAccountToken({
      name: 'hub',
      namespace,
      body: model<AuthenticationV1TokenRequest>({ spec: { audiences: [], expirationSeconds: 3600 } }),
    });
    const token = request.status?.token ?? '';
    expect(token).not.toBe('');

    const scoped = toKubeConfig(buildKubeconfig({ name: `eu-scoped-${fleet.id}`, server: cluster.server, ca: cluster.ca, user: { token } })).makeApiClient(
      CoreV1Api,
    );
    await scoped.createNamespacedConfigMap({ namespace, body: model<V1ConfigMap>({ metadata: { name: 'allowed' } }) });
    expect((await scoped.listNamespacedConfigMap({ namespace })).items.map((item) => item.metadata?.name)).toContain('allowed');
    await expect(scoped.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });
    await expect(scoped.listNamespacedConfigMap({ namespace: 'default' })).rejects.toMatchObject({ code: 403 });
  });

  it('gives Ingresses a load-balancer address that depends only on the cluster index and mode', async () => {
    await Promise.all(fleet.clusters.map((cluster) => createIngress(cluster, 'query')));
    expect(await ingressAddresses(fleet.cluster('hub'), 'query')).toEqual(['192.0.2.10']);
    expect(await ingressAddresses(fleet.cluster('eu'), 'query')).toEqual(['198.51.100.10']);
    expect(await ingressAddresses(fleet.cluster('us'), 'query')).toEqual(['us.lb.example.net']);
    expect(fleet.cluster('eu').loadBalancer?.address()).toEqual({ ip: '198.51.100.10' });
  });

  it('writes an address only when the status lacks it', async () => {
    const hub = fleet.cluster('hub');
    const loadBalancer = hub.loadBalancer;
    if (!loadBalancer) throw new Error('the fleet runs no load balancer');
    await createIngress(hub, 'steady');
    await ingressAddresses(hub, 'steady');
    const writes = loadBalancer.writes;
    // A label change wakes the load balancer for this Ingress; one created after it comes later.
    await networking(hub).patchNamespacedIngress({
      name: 'steady',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels', value: { touched: 'yes' } }],
    });
    await createIngress(hub, 'later');
    await ingressAddresses(hub, 'later');
    expect(loadBalancer.writes - writes).toBe(1);
  });

  it('switches a cluster to hostnames at runtime and honours the per-object annotation', async () => {
    const eu = fleet.cluster('eu');
    await createIngress(eu, 'pinned-ipv6', { [LOAD_BALANCER_ANNOTATION]: 'ipv6' });
    expect(await ingressAddresses(eu, 'pinned-ipv6')).toEqual(['2001:db8:1::10']);
    eu.loadBalancer?.setMode('hostname');
    try {
      expect(await ingressAddresses(eu, 'query', (addresses) => addresses[0] !== '198.51.100.10')).toEqual(['eu.lb.example.net']);
      expect(await ingressAddresses(eu, 'pinned-ipv6')).toEqual(['2001:db8:1::10']);
    } finally {
      eu.loadBalancer?.setMode('ipv4');
    }
    expect(await ingressAddresses(eu, 'query', (addresses) => addresses[0] === '198.51.100.10')).toEqual(['198.51.100.10']);
  });

  it('gives Services of type LoadBalancer an address and leaves other Services alone', async () => {
    const hub = fleet.cluster('hub');
    const service = (name: string, type?: string) =>
      model<V1Service>({ metadata: { name }, spec: { ...(type ? { type } : {}), ports: [{ port: 80, targetPort: 8080 }] } });
    await core(hub).createNamespacedService({ namespace: 'default', body: service('public', 'LoadBalancer') });
    await core(hub).createNamespacedService({ namespace: 'default', body: service('internal') });
    const address = await eventually(
      'service address',
      async () => (await core(hub).readNamespacedService({ name: 'public', namespace: 'default' })).status?.loadBalancer?.ingress?.[0]?.ip,
    );
    expect(address).toBe('192.0.2.10');
    expect((await core(hub).readNamespacedService({ name: 'internal', namespace: 'default' })).status?.loadBalancer?.ingress).toBeUndefined();
  });

  it('keeps data across a restart; clients and the load balancer reconnect', async () => {
    const eu = fleet.cluster('eu');
    const api = core(eu);
    await api.createNamespacedConfigMap({ namespace: 'default', body: model<V1ConfigMap>({ metadata: { name: 'before-restart' }, data: { kept: 'yes' } }) });
    // A restart also leaves the load balancer's watches too old for the new API server's cache:
    // it must list again (410 Gone) to see the Ingress created below.
    await eu.restart();
    expect((await api.readNamespacedConfigMap({ name: 'before-restart', namespace: 'default' })).data).toEqual({ kept: 'yes' });
    await createIngress(eu, 'after-restart');
    expect(await ingressAddresses(eu, 'after-restart')).toEqual(['198.51.100.10']);
  });

  it('stops and starts a cluster: refused while stopped, serving again after', async () => {
    const us = fleet.cluster('us');
    const tls = adminTLS(us.pki);
    await us.stop();
    try {
      await expect(httpsGet(`${us.server}/readyz`, tls)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await us.start();
    }
    await createIngress(us, 'after-start');
    expect(await ingressAddresses(us, 'after-start')).toEqual(['us.lb.example.net']);
  });

  it('tells an API server whose port another process took from any other failure, and starts once the port is free', async () => {
    const eu = fleet.cluster('eu');
    await eu.stop();
    // It hangs up on the fake kubelet and load balancer, which keep reconnecting, so it can close.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(Number(new URL(eu.server).port), '127.0.0.1', resolve));
    try {
      await expect(eu.start()).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      await new Promise<void>((resolve) =>
        squatter.close(() => {
          resolve();
        }),
      );
    }
    await eu.start();
    const tls = adminTLS(eu.pki);
    expect((await httpsGet(`${eu.server}/readyz`, tls)).status).toBe(200);
  });

  it('pauses a cluster so that requests time out, and resumes it', async () => {
    const hub = fleet.cluster('hub');
    const tls = adminTLS(hub.pki);
    hub.pause();
    try {
      await expect(httpsGet(`${hub.server}/version`, tls, 2000)).rejects.toThrow(/timed out/);
    } finally {
      hub.resume();
    }
    expect((await httpsGet(`${hub.server}/version`, tls, 10_000)).status).toBe(200);
    await createIngress(hub, 'after-pause');
    expect(await ingressAddresses(hub, 'after-pause')).toEqual(['192.0.2.10']);
  });
});
