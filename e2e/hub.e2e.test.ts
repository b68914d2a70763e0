import { API_VERSION, LABELS, type PrometheusCluster, type MemberEntry, PrometheusReplicas } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { ResourceClient, Secrets } from '@promfleet/kube/client';
import { connectSSE } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { settled, total } from './helpers/metrics.ts';
import { ClusterRoleBindingsFor, ClusterRolesFor } from './helpers/rbac.ts';
import { eventually, HUB_NAMESPACE, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';

// A hub and three members; two of them are "cloud". Probes every 2 s, Offline after 6 s. Every
// test starts from the shared PrometheusCluster made in beforeAll and sets up what else it needs,
// so none depends on another having run before it.
let pf: Promfleet;

beforeAll(async () => {
  pf = await startPromfleet({
    members: [
      { name: 'eu-west', labels: { platform: 'cloud', region: 'eu-west-1' } },
      { name: 'us-east', labels: { platform: 'cloud', region: 'us-east-1' } },
      { name: 'ap-south', labels: { platform: 'onprem', region: 'ap-south-1' } },
    ],
    hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '20s' },
  });
  await pf.clusters.create(cloudClusters());
});

afterAll(async () => {
  await pf.stop();
});

function cloudClusters(spec: Record<string, unknown> = {}, name = 'cloud-clusters'): PrometheusCluster {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name, namespace: 'default' },
    spec: {
      clusterSelector: { matchLabels: { platform: 'cloud' } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      baseDomain: 'prometheus.example.com',
      metrics: { retention: '24h', blockDuration: '2h' },
      ...spec,
    },
  } as unknown as PrometheusCluster;
}

const entry = (cluster: PrometheusCluster | undefined, member: string): MemberEntry | undefined => cluster?.status?.clusters?.find((e) => e.name === member);
const replicaIn = (member: string, name = 'cloud-clusters') =>
  new ResourceClient(pf.members.get(member)?.client ?? pf.hub, PrometheusReplicas).get(name, MEMBER_NAMESPACE);
const hubStatus = () => pf.clusters.get('cloud-clusters', 'default');

/** The shared PrometheusCluster highly available on both cloud members, as several tests need it. */
async function highlyAvailable(): Promise<void> {
  await pf.clusters.patch('cloud-clusters', 'default', { spec: { highlyAvailable: true } });
  await eventually('both replicas highly available, the status current', async () => {
    const cluster = await hubStatus();
    const current = cluster?.status?.observedGeneration === cluster?.metadata.generation && cluster?.status?.phase === 'Ready';
    return current && (await replicaIn('eu-west'))?.spec.highlyAvailable === true && (await replicaIn('us-east'))?.spec.highlyAvailable === true;
  });
}

describe('the hub on a fleet of three members', () => {
  it('creates replicas only in the selected members, and publishes one A record holding both', async () => {
    const ready = await eventually('both cloud members ready', async () => {
      const cluster = await hubStatus();
      return cluster?.status?.phase === 'Ready' && cluster.status.ready === 2 ? cluster : undefined;
    });
    expect(ready.status?.selected).toBe(2);
    expect(ready.status?.clusters?.map((e) => [e.name, e.phase, e.ready, e.stale])).toEqual([
      ['eu-west', 'Running', true, false],
      ['us-east', 'Running', true, false],
    ]);
    const addresses = (ready.status?.clusters ?? []).flatMap((e) => e.addresses ?? []).sort();
    expect(addresses).toHaveLength(2);
    expect(ready.status?.endpoints).toEqual([{ dnsName: 'query.prometheus.example.com', recordType: 'A', targets: addresses, ttl: 30 }]);
    expect(await replicaIn('ap-south')).toBeUndefined();
    const replica = await replicaIn('eu-west');
    expect(replica?.spec.clusterName).toBe('eu-west');
    expect(replica?.metadata.labels?.['promfleet.io/managed-by']).toBe('promfleet-hub');

    // The member metrics alerts are built on: readiness and when each credential expires (join: one year).
    const metrics = await (await fetch(`${pf.hubProcess.url}/metrics`)).text();
    expect(metrics).toMatch(/^promfleet_member_ready\{member="eu-west"\} 1$/m);
    const expiry = Number(/^promfleet_member_credential_expiry_timestamp_seconds\{member="eu-west"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(expiry * 1000 - Date.now()).toBeGreaterThan(360 * 86_400_000);

    // external-dns's CRD is installed in the hub: the same records as a DNSEndpoint.
    const dnsEndpoint = await eventually('the DNSEndpoint', () => new ResourceClient(pf.hub, DNSEndpoints).get('cloud-clusters', 'default'));
    expect(dnsEndpoint.spec?.endpoints).toEqual([{ dnsName: 'query.prometheus.example.com', recordType: 'A', targets: addresses, recordTTL: 30 }]);
  });

  it('takes its own finalizer, revision and status writes as no news: one full pass for a new PrometheusCluster, one for a spec change', async () => {
    // Selecting nobody, under a domain of its own: nothing but its own writes can ask for another pass.
    const name = 'own-writes';
    const fullPasses = () => settled(pf.hubProcess.url, (samples) => total(samples, 'promfleet_cluster_passes_total', (labels) => labels.pass === 'full'));
    const current = (generation: number) =>
      eventually(`${name} at generation ${String(generation)}`, async () =>
        (await pf.clusters.get(name, 'default'))?.status?.observedGeneration === generation ? true : undefined,
      );
    const before = await fullPasses();
    await pf.clusters.create(cloudClusters({ clusterSelector: { matchLabels: { platform: 'nowhere' } }, baseDomain: 'own-writes.example.com' }, name));
    await current(1);
    // The echoes of the pass's finalizer, ControllerRevision and status reach the hub within milliseconds; no second pass follows them.
    expect(await fullPasses()).toBe(before + 1);
    await pf.clusters.patch(name, 'default', { spec: { metrics: { retention: '48h' } } });
    await current(2);
    // The pass creates the new revision and prunes the old one.
    expect(await fullPasses()).toBe(before + 2);
    await pf.clusters.delete(name, 'default');
  });

  it('carries a spec change to every member until observedGeneration catches up', async () => {
    await pf.clusters.patch('cloud-clusters', 'default', { spec: { highlyAvailable: true } });
    const generation = (await hubStatus())?.metadata.generation;
    const caught = await eventually('both members at the new generation', async () => {
      const cluster = await hubStatus();
      const entries = cluster?.status?.clusters ?? [];
      return cluster?.status?.phase === 'Ready' && entries.length === 2 && entries.every((e) => e.observedGeneration === generation) ? cluster : undefined;
    });
    expect(caught.status?.conditions?.find((c) => c.type === 'Propagated')).toMatchObject({ status: 'True' });
    expect((await replicaIn('us-east'))?.status?.readyPods).toBe('5/5');
  });

  it('reverts a hand edit of a managed replica in a member', async () => {
    await highlyAvailable();
    const replicas = new ResourceClient(pf.members.get('eu-west')?.client ?? pf.hub, PrometheusReplicas);
    await replicas.patch('cloud-clusters', MEMBER_NAMESPACE, { spec: { highlyAvailable: false } });
    await eventually('the edit reverted', async () => (await replicaIn('eu-west'))?.spec.highlyAvailable === true);
  });

  it('refuses an image outside the allow-list on a running PrometheusCluster: condition on it, nothing applied, what runs untouched', async () => {
    await highlyAvailable();
    // Going back to highly available scales a member up again, and its operator may not have started
    // yet when the hub still lists it: wait until both replicas run that spec with every pod ready.
    await eventually('both members serving the reverted spec', async () => {
      for (const member of ['eu-west', 'us-east']) {
        const replica = await replicaIn(member);
        const [ready, desired] = (replica?.status?.readyPods ?? '0/1').split('/');
        if (replica?.status?.observedGeneration !== replica?.metadata.generation || replica?.status?.phase !== 'Running' || ready !== desired) return false;
      }
      return ((await hubStatus())?.status?.endpoints?.[0]?.targets.length ?? 0) === 2;
    });
    const before = await replicaIn('eu-west');
    await pf.clusters.patch('cloud-clusters', 'default', { spec: { images: { thanos: 'docker.io/attacker/thanos:v0.39.2' }, highlyAvailable: false } });
    const refused = await eventually('Ready=False ImageNotAllowed', async () => {
      const cluster = await hubStatus();
      return cluster?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'ImageNotAllowed') &&
        cluster.status.observedGeneration === cluster.metadata.generation
        ? cluster
        : undefined;
    });
    expect(refused.status?.conditions?.find((c) => c.type === 'Ready')?.message).toBe(
      'nothing is applied to the members: spec.images.thanos: "docker.io/attacker/thanos:v0.39.2" is not allowed: only images under quay.io/prometheus/, quay.io/thanos/, docker.io/grafana/ may run (--allowed-image-prefixes)',
    );
    expect(refused.status?.phase).toBe('Degraded');
    // Neither the image nor the change beside it reached a member; the members keep serving DNS.
    for (const member of ['eu-west', 'us-east']) {
      const replica = await replicaIn(member);
      expect(replica?.spec.images, member).toBeUndefined();
      expect(replica?.spec.highlyAvailable, member).toBe(true);
    }
    expect((await replicaIn('eu-west'))?.metadata.generation).toBe(before?.metadata.generation);
    expect(refused.status?.endpoints?.[0]?.targets).toHaveLength(2);

    await pf.clusters.patch('cloud-clusters', 'default', { spec: { images: null, highlyAvailable: true } });
    await eventually('Ready again', async () => (await hubStatus())?.status?.phase === 'Ready');
  });

  it('takes a member that stops being selected out: its replica is deleted and it leaves DNS', async () => {
    const before = await eventually('both members in DNS', async () => {
      const targets = (await hubStatus())?.status?.endpoints?.[0]?.targets ?? [];
      return targets.length === 2 ? targets : undefined;
    });
    await pf.memberClusters.patch('us-east', undefined, { metadata: { labels: { platform: 'onprem' } } });
    await eventually("us-east's replica deleted", async () => (await replicaIn('us-east')) === undefined);
    const after = await eventually('one member left', async () => {
      const cluster = await hubStatus();
      return cluster?.status?.selected === 1 && cluster.status.endpoints?.[0]?.targets.length === 1 ? cluster : undefined;
    });
    expect(before).toContain(after.status?.endpoints?.[0]?.targets[0]);
    await pf.memberClusters.patch('us-east', undefined, { metadata: { labels: { platform: 'cloud' } } });
    await eventually('us-east back', async () => (await hubStatus())?.status?.ready === 2);
  });

  it('marks a hung member Offline within offline-after plus one probe, stale and out of DNS, and back after', async () => {
    const watch = await connectSSE(`${pf.hubProcess.url}/api/v1/endpoints/watch`);
    await watch.next();
    const eu = pf.members.get('eu-west');
    const euAddress = entry(await hubStatus(), 'eu-west')?.addresses?.[0];
    const pausedAt = Date.now();
    eu?.cluster.pause();
    try {
      const offline = await eventually(
        'eu-west Offline',
        async () => {
          const member = await pf.memberClusters.get('eu-west');
          return member?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'Offline') ? member : undefined;
        },
        60_000,
        100,
      );
      const took = Date.now() - pausedAt;
      console.log(`hung member Offline after ${String(took)} ms (offline-after 6 s + probe 2 s)`);
      expect(offline.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      const degraded = await eventually('eu-west stale and out of DNS', async () => {
        const cluster = await hubStatus();
        const eu = entry(cluster, 'eu-west');
        return eu?.stale && !cluster?.status?.endpoints?.[0]?.targets.includes(euAddress ?? '') ? cluster : undefined;
      });
      expect(entry(degraded, 'eu-west')).toMatchObject({ phase: 'Offline', stale: true, ready: false });
      expect(entry(degraded, 'eu-west')?.lastSeen).toBeDefined();
      expect(degraded.status?.phase).toBe('Degraded');
      // The endpoints API's watchers hear it too.
      await eventually(
        'an SSE change without eu-west',
        async () => {
          const event = await watch.next(10_000);
          return event.event === 'change' && !event.data.includes(euAddress ?? '-') ? event : undefined;
        },
        30_000,
        0,
      );
    } finally {
      eu?.cluster.resume();
      watch.close();
    }
    await eventually('eu-west back in DNS', async () => (await hubStatus())?.status?.endpoints?.[0]?.targets.includes(euAddress ?? '') === true);
    const replicas = (await new ResourceClient(eu?.client ?? pf.hub, PrometheusReplicas).list({ namespace: MEMBER_NAMESPACE })).items;
    expect(replicas.map((r) => r.metadata.name)).toEqual(['cloud-clusters']);
  });

  it('reports a garbage credential Secret clearly and keeps serving the others', async () => {
    await new ResourceClient(pf.hub, Secrets).create({
      metadata: { name: 'member-broken', namespace: HUB_NAMESPACE, labels: { [LABELS.member]: 'broken' } },
      stringData: { kubeconfig: 'this: [is not a kubeconfig' },
    });
    await pf.memberClusters.create({
      apiVersion: API_VERSION,
      kind: 'MemberCluster',
      metadata: { name: 'broken', labels: { platform: 'cloud' } },
      spec: { kubeconfigSecretRef: { name: 'member-broken', namespace: HUB_NAMESPACE, key: 'kubeconfig' }, namespace: MEMBER_NAMESPACE },
    });
    const broken = await eventually('a condition on the broken member', async () => {
      const member = await pf.memberClusters.get('broken');
      return member?.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'KubeconfigInvalid') ? member : undefined;
    });
    expect(broken.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
      'Secret promfleet-system/member-broken key kubeconfig: the kubeconfig is not YAML',
    );
    const cluster = await eventually('the broken member listed as an error, the others ready', async () => {
      const current = await hubStatus();
      if (entry(current, 'broken')?.phase === 'Error' && current?.status?.ready === 2) return current;
      throw new Error(JSON.stringify(current?.status?.clusters));
    });
    expect(cluster.status?.endpoints?.[0]?.targets).toHaveLength(2);
    expect((await fetch(`${pf.hubProcess.url}/healthz`)).status).toBe(200);
    expect(pf.hubProcess.process.running).toBe(true);
    await pf.memberClusters.delete('broken');
    await new ResourceClient(pf.hub, Secrets).delete('member-broken', HUB_NAMESPACE);
    await eventually('the broken member gone', async () => (await pf.memberClusters.get('broken')) === undefined, 60_000);
  });

  it('flags a credential someone widened: CredentialScoped=False, OverPrivileged', async () => {
    const ap = pf.members.get('ap-south');
    if (!ap) throw new Error('no ap-south');
    await new ResourceClient(ap.client, ClusterRolesFor).create({
      metadata: { name: 'read-secrets' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    });
    await new ResourceClient(ap.client, ClusterRoleBindingsFor).create({
      metadata: { name: 'hub-reads-secrets' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read-secrets' },
      subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: MEMBER_NAMESPACE }],
    });
    const flagged = await eventually('OverPrivileged', async () => {
      const member = await pf.memberClusters.get('ap-south');
      return member?.status?.conditions?.find((c) => c.type === 'CredentialScoped' && c.status === 'False') ? member : undefined;
    });
    expect(flagged.status?.conditions?.find((c) => c.type === 'CredentialScoped')).toMatchObject({ reason: 'OverPrivileged' });
    expect(flagged.status?.conditions?.find((c) => c.type === 'CredentialScoped')?.message).toContain('get secrets');
  });

  it('deletes the member replicas before the PrometheusCluster goes', async () => {
    await pf.clusters.create(cloudClusters({ baseDomain: 'leaving.example.com' }, 'leaving'));
    await eventually(
      'replicas of leaving in both cloud members and its DNSEndpoint',
      async () =>
        (await replicaIn('eu-west', 'leaving')) !== undefined &&
        (await replicaIn('us-east', 'leaving')) !== undefined &&
        (await new ResourceClient(pf.hub, DNSEndpoints).get('leaving', 'default')) !== undefined,
    );
    await pf.clusters.delete('leaving', 'default');
    await eventually('the PrometheusCluster gone', async () => (await pf.clusters.get('leaving', 'default')) === undefined, 60_000);
    expect(await replicaIn('eu-west', 'leaving')).toBeUndefined();
    expect(await replicaIn('us-east', 'leaving')).toBeUndefined();
    await eventually('the DNSEndpoint gone', async () => (await new ResourceClient(pf.hub, DNSEndpoints).get('leaving', 'default')) === undefined);
  });
});
