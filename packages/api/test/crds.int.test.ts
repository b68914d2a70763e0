import { get } from 'node:https';

import { CustomObjectsApi } from '@kubernetes/client-node';
import { eventually, installCRDs, startFleet, type Fleet, type TestCluster } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { API_VERSION, CATEGORY, GROUP, KINDS, VERSION, validate } from '../src/index.ts';

// The generated CRDs on a real kube-apiserver: accepted, defaulting like the zod schemas, and
// rejecting what a structural schema can express.

let fleet: Fleet;
let objects: CustomObjectsApi;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['api'] });
  const cluster = fleet.cluster('api');
  await installCRDs(cluster);
  objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await fleet.stop();
});

const replica = (name: string, spec: Record<string, unknown>) => ({ apiVersion: API_VERSION, kind: 'PrometheusReplica', metadata: { name }, spec });

async function createReplica(body: ReturnType<typeof replica>): Promise<Record<string, unknown>> {
  return (await objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: 'prometheusreplicas', body })) as Record<
    string,
    unknown
  >;
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const { code, body } = error as { code?: number; body?: string };
    expect(code).toBe(422);
    return String(body);
  }
  throw new Error('the API server accepted an invalid object');
}

describe('generated CRDs on a real API server', () => {
  it('apply the same defaults the zod schemas apply', async () => {
    const body = replica('defaults', { configMap: 'prometheus-config', bucketSecret: 's3-bucket', storage: { size: '10Gi' } });
    const stored = await createReplica(body);
    const parsed = validate('PrometheusReplica', body);
    expect(parsed.ok).toBe(true);
    expect(stored.spec).toEqual(parsed.ok ? parsed.value.spec : undefined);
    expect(stored.spec).toMatchObject({
      configMapKey: 'prometheus.yml',
      highlyAvailable: false,
      paused: false,
      metrics: { retention: '24h', blockDuration: '2h' },
    });
  });

  it('round-trip a full PrometheusCluster and a cluster-scoped MemberCluster', async () => {
    const cluster = {
      apiVersion: API_VERSION,
      kind: 'PrometheusCluster',
      metadata: { name: 'cloud-clusters' },
      spec: {
        clusterSelector: { matchLabels: { platform: 'cloud' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west-1'] }] },
        configMap: 'prometheus-config',
        bucketSecret: 's3-bucket',
        highlyAvailable: true,
        baseDomain: 'prometheus.example.com',
        resources: { prometheus: { requests: { cpu: '500m', memory: 2 } } },
      },
    };
    const stored = (await objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: 'default',
      plural: 'prometheusclusters',
      body: cluster,
    })) as Record<string, unknown>;
    const parsed = validate('PrometheusCluster', cluster);
    expect(stored.spec).toEqual(parsed.ok ? parsed.value.spec : undefined);

    const member = {
      apiVersion: API_VERSION,
      kind: 'MemberCluster',
      metadata: { name: 'eu-west', labels: { platform: 'cloud' } },
      spec: { kubeconfigSecretRef: { name: 'member-eu-west' } },
    };
    const storedMember = (await objects.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'memberclusters', body: member })) as Record<
      string,
      unknown
    >;
    expect(storedMember.spec).toEqual({
      kubeconfigSecretRef: { name: 'member-eu-west', namespace: 'promfleet-system', key: 'kubeconfig' },
      namespace: 'monitoring',
    });
  });

  it('serve the status subresource separately from spec', async () => {
    await createReplica(replica('with-status', { configMap: 'c', bucketSecret: 's' }));
    const patched = (await objects.patchNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      namespace: 'default',
      plural: 'prometheusreplicas',
      name: 'with-status',
      body: [{ op: 'add', path: '/status', value: { phase: 'Running', readyPods: '5/5', observedGeneration: 1 } }],
    })) as { status?: unknown; spec?: unknown };
    expect(patched.status).toEqual({ phase: 'Running', readyPods: '5/5', observedGeneration: 1 });
  });

  it('reject a malformed duration, naming the field', async () => {
    const message = await rejection(createReplica(replica('bad-duration', { configMap: 'c', bucketSecret: 's', metrics: { retention: '24x' } })));
    expect(message).toContain('spec.metrics.retention');
  });

  it('reject a missing required field and a bad enum, naming both', async () => {
    const message = await rejection(
      objects.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: 'default',
        plural: 'prometheusclusters',
        body: {
          apiVersion: API_VERSION,
          kind: 'PrometheusCluster',
          metadata: { name: 'bad' },
          spec: { clusterSelector: {}, bucketSecret: 's', deletionPolicy: 'Keep' },
        },
      }),
    );
    expect(message).toContain('spec.configMap');
    expect(message).toContain('spec.deletionPolicy');
  });

  it('reject a name too long for the children it would create', async () => {
    const message = await rejection(createReplica(replica('x'.repeat(40), { configMap: 'c', bucketSecret: 's' })));
    expect(message).toContain('metadata.name');
  });

  it('reject an invalid baseDomain and storage size', async () => {
    const message = await rejection(
      createReplica(replica('bad-domain', { configMap: 'c', bucketSecret: 's', baseDomain: 'Not_A_Domain', storage: { size: '10GB' } })),
    );
    expect(message).toContain('spec.baseDomain');
    expect(message).toContain('spec.storage.size');
  });

  // The same rule as the zod schema (dnsTarget): the API server itself refuses a member status
  // or a record target that is not an address or a host name.
  it('reject status addresses and record targets that are not IP addresses or host names, and accept those that are', async () => {
    await createReplica(replica('status-addresses', { configMap: 'c', bucketSecret: 's' }));
    const setStatus = (plural: string, name: string, value: unknown) =>
      objects.patchNamespacedCustomObjectStatus({
        group: GROUP,
        version: VERSION,
        namespace: 'default',
        plural,
        name,
        body: [{ op: 'add', path: '/status', value }],
      });
    const good = ['192.0.2.10', '2001:db8::10', '::ffff:192.0.2.1', 'lb-1.elb.example.net', 'LB.Example.NET.'];
    await setStatus('prometheusreplicas', 'status-addresses', { phase: 'Running', output: { queryHost: 'query.example.com', addresses: good } });
    for (const bad of [
      '192.0.2.10\nevil.example.com. 30 IN A 203.0.113.66',
      '$INCLUDE /etc/passwd',
      'lb.example.net 30',
      '192.0.2.300',
      '-lb.example.net',
      `${'a'.repeat(64)}.net`,
    ]) {
      const message = await rejection(setStatus('prometheusreplicas', 'status-addresses', { phase: 'Running', output: { addresses: [bad] } }));
      expect(message, JSON.stringify(bad)).toContain('status.output.addresses');
    }
    expect(await rejection(setStatus('prometheusreplicas', 'status-addresses', { output: { queryHost: 'query.example.com\n' } }))).toContain(
      'status.output.queryHost',
    );

    await objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: 'default',
      plural: 'prometheusclusters',
      body: {
        apiVersion: API_VERSION,
        kind: 'PrometheusCluster',
        metadata: { name: 'records' },
        spec: { clusterSelector: {}, configMap: 'c', bucketSecret: 's' },
      },
    });
    const record = (target: string) => ({ dnsName: 'query.example.com', recordType: 'A', targets: [target], ttl: 30 });
    await setStatus('prometheusclusters', 'records', {
      endpoints: good.map(record),
      clusters: [{ name: 'eu', phase: 'Running', ready: true, stale: false, addresses: good }],
    });
    expect(await rejection(setStatus('prometheusclusters', 'records', { endpoints: [record('192.0.2.1;evil')] }))).toContain('status.endpoints.targets');
    expect(
      await rejection(
        setStatus('prometheusclusters', 'records', { clusters: [{ name: 'eu', phase: 'Running', ready: true, stale: false, addresses: ['a b'] }] }),
      ),
    ).toContain('status.clusters.addresses');
  });
});

interface DiscoveredResource {
  readonly groupVersion: string;
  readonly name: string;
  readonly singularName?: string;
  readonly kind: string;
  readonly shortNames?: string[];
  readonly categories?: string[];
}

function getJSON<T>(cluster: TestCluster, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    get(`${cluster.server}${path}`, { ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        if (response.statusCode === 200) resolve(JSON.parse(body) as T);
        else reject(new Error(`GET ${path}: ${String(response.statusCode)} ${body}`));
      });
    }).on('error', reject);
  });
}

/** Every resource in every served group version, as kubectl's discovery sees them. */
async function discover(cluster: TestCluster): Promise<DiscoveredResource[]> {
  const { groups } = await getJSON<{ groups: { versions: { groupVersion: string }[] }[] }>(cluster, '/apis');
  const groupVersions = ['v1', ...groups.flatMap((group) => group.versions.map((version) => version.groupVersion))];
  const lists = await Promise.all(
    groupVersions.map(async (groupVersion) => {
      const list = await getJSON<{ resources: Omit<DiscoveredResource, 'groupVersion'>[] }>(
        cluster,
        groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`,
      );
      return list.resources.filter((resource) => !resource.name.includes('/')).map((resource) => ({ ...resource, groupVersion }));
    }),
  );
  return lists.flat();
}

describe('kubectl names on a real API server', () => {
  const ours = (resource: DiscoveredResource): boolean => resource.groupVersion === API_VERSION;

  const discovered = (): Promise<DiscoveredResource[]> =>
    eventually('the CRDs in discovery', async () => {
      const found = await discover(fleet.cluster('api'));
      return found.filter(ours).length === KINDS.length && found;
    });

  it('resolve each short name to the promfleet kind alone, built-in resources included', async () => {
    const resources = await discovered();
    // Why the short names changed: `kubectl get pc` is PriorityClass's.
    expect(resources.find((resource) => resource.name === 'priorityclasses')?.shortNames).toContain('pc');
    for (const info of KINDS) {
      // Any name kubectl would match a short name against: short names, plural, singular, kind.
      const claims = resources.filter((resource) =>
        [...(resource.shortNames ?? []), resource.name, resource.singularName, resource.kind.toLowerCase()].includes(info.shortName),
      );
      expect(
        claims.map((resource) => `${resource.groupVersion}/${resource.name}`),
        info.shortName,
      ).toEqual([`${API_VERSION}/${info.plural}`]);
    }
  });

  it('list the three kinds, and nothing else, under the promfleet category (`kubectl get promfleet`)', async () => {
    const resources = await discovered();
    const inCategory = resources.filter((resource) => resource.categories?.includes(CATEGORY));
    expect(inCategory.map((resource) => resource.kind).sort()).toEqual(KINDS.map((info) => info.kind).sort());
  });
});
