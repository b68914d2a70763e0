import { API_VERSION, MemberClusters, PrometheusClusters, PrometheusReplicas, type MemberEntry, type PrometheusCluster } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { KubeClient, Namespaces, ResourceClient, RoleBindings, Roles, Secrets, ServiceAccounts, type KubeObject } from '@promfleet/kube/client';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { releaseVersion } from '@promfleet/kube/version';
import { ENTRIES, EXTERNAL_DNS_CRD_DIR, installCRDs, runCli, startFleet, startNodeProcess, statusOf, type Fleet, type NodeProcess } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually, HUB_NAMESPACE, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';

// Day-2 operations on one member: a replica no operator reconciles, `kubectl delete
// membercluster`, and the hub cluster lost and restored from manifests onto a new, empty one.
// The member's operator watches only `monitoring`; a second MemberCluster `lab` joins the same
// cluster into `unwatched`, which no operator watches.
let pf: Promfleet;
let eu: KubeClient;

const PROBE = ['--member-probe-interval=2s', '--member-offline-after=6s', '--member-no-operator-after=5s'];

beforeAll(async () => {
  pf = await startPromfleet({
    members: [{ name: 'eu-west', labels: { platform: 'cloud' } }],
    hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '20s', extraArgs: ['--member-no-operator-after=5s'] },
    operatorArgs: [`--watch-namespaces=${MEMBER_NAMESPACE}`],
  });
  eu = pf.members.get('eu-west')?.client ?? pf.hub;
  const lab = await runCli([
    'join',
    'lab',
    `--member-kubeconfig=${memberKubeconfig()}`,
    `--hub-kubeconfig=${pf.hubCluster.kubeconfigFile}`,
    '--namespace=unwatched',
    '--label=platform=cloud',
  ]);
  expect(lab.code, lab.stderr).toBe(0);
  await pf.clusters.create(cloud());
});

afterAll(async () => {
  await pf.stop();
});

const memberKubeconfig = () => pf.members.get('eu-west')?.cluster.kubeconfigFile ?? '';

function cloud(): PrometheusCluster {
  return {
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud', namespace: 'default' },
    spec: {
      clusterSelector: { matchLabels: { platform: 'cloud' } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      baseDomain: 'prometheus.example.com',
    },
  } as unknown as PrometheusCluster;
}

const entry = (cluster: PrometheusCluster | undefined, member: string): MemberEntry | undefined => cluster?.status?.clusters?.find((e) => e.name === member);

describe('operator versions', () => {
  it("are reported by each member's operator and shown by the hub and promfleet members", async () => {
    const version = releaseVersion();
    await eventually('eu-west reports its operator version', async () => (await pf.memberClusters.get('eu-west'))?.status?.operatorVersion === version);
    const members = await runCli(['members', '-o', 'json', `--hub-kubeconfig=${pf.hubCluster.kubeconfigFile}`]);
    expect(members.code, members.stderr).toBe(0);
    const rows = JSON.parse(members.stdout) as { name: string; operatorVersion?: string }[];
    expect(rows.map((row) => [row.name, row.operatorVersion])).toEqual([
      ['eu-west', version],
      // No operator reconciles lab's replica, so nothing reports a version there.
      ['lab', undefined],
    ]);
  });
});

describe('a replica no operator reconciles', () => {
  it('makes the member entry NoOperator after --member-no-operator-after, naming the namespace, while the others serve', async () => {
    const cluster = await eventually('lab NoOperator, eu-west Running', async () => {
      const current = await pf.clusters.get('cloud', 'default');
      return entry(current, 'lab')?.phase === 'NoOperator' && entry(current, 'eu-west')?.phase === 'Running' ? current : undefined;
    });
    expect(entry(cluster, 'lab')).toMatchObject({ ready: false, stale: false });
    expect(entry(cluster, 'lab')?.message).toBe(
      'no replica operator has reconciled PrometheusReplica unwatched/cloud within 5s of its creation: is promfleet-replica-operator running in lab, and does its --watch-namespaces (chart value watchNamespaces) include unwatched?',
    );
    // The replica exists and is untouched by any operator; eu-west alone is in DNS.
    const replica = await new ResourceClient(eu, PrometheusReplicas).get('cloud', 'unwatched');
    expect(replica?.status).toBeUndefined();
    expect(cluster.status?.phase).toBe('Degraded');
    expect(cluster.status?.endpoints?.[0]?.targets).toEqual(entry(cluster, 'eu-west')?.addresses);
  });
});

describe('kubectl delete membercluster', () => {
  it("deletes the member's replicas and the credential Secret join stored; what join made in the member stays until promfleet unjoin", async () => {
    const secrets = new ResourceClient(pf.hub, Secrets);
    expect(await secrets.get('member-lab', HUB_NAMESPACE)).toBeDefined();
    await pf.memberClusters.delete('lab');
    await eventually('the MemberCluster gone', async () => (await pf.memberClusters.get('lab')) === undefined, 60_000);
    expect(await secrets.get('member-lab', HUB_NAMESPACE)).toBeUndefined();
    expect(await new ResourceClient(eu, PrometheusReplicas).get('cloud', 'unwatched')).toBeUndefined();
    await eventually('cloud Ready without lab', async () => (await pf.clusters.get('cloud', 'default'))?.status?.phase === 'Ready');

    // In the member: the credential objects and the token binding, beyond the hub's reach.
    const left = async () => {
      const credential = await Promise.all([
        new ResourceClient(eu, ServiceAccounts).get('promfleet-hub', 'unwatched'),
        new ResourceClient(eu, Roles).get('promfleet-hub', 'unwatched'),
        new ResourceClient(eu, RoleBindings).get('promfleet-hub', 'unwatched'),
      ]);
      const bindings = (await new ResourceClient(eu, Secrets).list({ namespace: 'unwatched', labelSelector: 'promfleet.io/member=lab' })).items;
      return [...credential.flatMap((object) => (object ? [object.kind] : [])), ...bindings.map((secret) => `Secret ${secret.type ?? ''}`)];
    };
    expect(await left()).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Secret promfleet.io/token-binding']);
    const unjoined = await runCli([
      'unjoin',
      'lab',
      `--member-kubeconfig=${memberKubeconfig()}`,
      `--hub-kubeconfig=${pf.hubCluster.kubeconfigFile}`,
      '--namespace=unwatched',
    ]);
    expect(unjoined.code, unjoined.stderr).toBe(0);
    expect(unjoined.stderr.trimEnd().split('\n').at(-1)).toBe('unjoined lab: removed 4 objects');
    expect(await left()).toEqual([]);
  });

  it("never deletes another member's credential Secret: a MemberCluster pointing at it goes without it", async () => {
    const secrets = new ResourceClient(pf.hub, Secrets);
    const before = await secrets.get('member-eu-west', HUB_NAMESPACE);
    await pf.memberClusters.create({
      apiVersion: API_VERSION,
      kind: 'MemberCluster',
      metadata: { name: 'alias' },
      spec: { kubeconfigSecretRef: { name: 'member-eu-west', namespace: HUB_NAMESPACE, key: 'kubeconfig' }, namespace: MEMBER_NAMESPACE },
    });
    await eventually('alias refused: SecretBoundToOtherMember', async () =>
      (await pf.memberClusters.get('alias'))?.status?.conditions?.some((c) => c.reason === 'SecretBoundToOtherMember'),
    );
    await pf.memberClusters.delete('alias');
    await eventually('alias gone', async () => (await pf.memberClusters.get('alias')) === undefined, 60_000);
    expect((await secrets.get('member-eu-west', HUB_NAMESPACE))?.metadata?.uid).toBe(before?.metadata?.uid);
  });
});

/** An object as a backup keeps it: what the user wrote, without what the server added. */
function manifest<T extends KubeObject>(object: T, kind: string, apiVersion: string): T {
  const { name, namespace, labels, annotations } = object.metadata ?? {};
  const { status: _status, metadata: _metadata, ...rest } = object as T & { status?: unknown };
  return {
    ...rest,
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
  } as T;
}

describe('disaster recovery: the hub cluster replaced by a new, empty one', () => {
  let restored: Fleet | undefined;
  let newHub: KubeClient | undefined;
  let newHubProcess: NodeProcess | undefined;

  afterAll(async () => {
    await newHubProcess?.stop();
    await newHub?.close();
    await restored?.stop();
  });

  it('restored from manifests, adopts the running replicas (no Conflict), publishes the same DNS again, and a re-join revokes the old credential', async () => {
    const before = await eventually('cloud Ready with eu-west in DNS', async () => {
      const current = await pf.clusters.get('cloud', 'default');
      return current?.status?.phase === 'Ready' && current.status.endpoints?.[0]?.targets.length === 1 ? current : undefined;
    });
    const replica = await new ResourceClient(eu, PrometheusReplicas).get('cloud', MEMBER_NAMESPACE);
    const dnsBefore = await new ResourceClient(pf.hub, DNSEndpoints).get('cloud', 'default');

    // The backup: PrometheusClusters, MemberClusters and the credential Secrets, as manifests.
    const backup = {
      secrets: (
        await new ResourceClient(pf.hub, Secrets).list({ namespace: HUB_NAMESPACE, labelSelector: 'app.kubernetes.io/managed-by=promfleet-cli' })
      ).items.map((s) => manifest(s, 'Secret', 'v1')),
      members: (await pf.memberClusters.list()).items.map((m) => manifest(m, 'MemberCluster', API_VERSION)),
      clusters: (await pf.clusters.list()).items.map((c) => manifest(c, 'PrometheusCluster', API_VERSION)),
    };
    expect(backup.secrets.map((s) => s.metadata?.name)).toEqual(['member-eu-west']);
    const oldCredential = new KubeClient(loadKubeConfig({ text: Buffer.from(backup.secrets[0]?.data?.kubeconfig ?? '', 'base64').toString('utf8') }), {
      cluster: 'old-credential',
    });

    // The hub cluster is lost, with the hub in it.
    await pf.hubProcess.stop();
    await pf.hubCluster.stop();

    // A new, empty hub cluster: CRDs (the chart installs them), the namespace, then the backup.
    restored = await startFleet({ clusters: ['hub'], loadBalancer: false });
    const hubCluster = restored.cluster('hub');
    await Promise.all([installCRDs(hubCluster), installCRDs(hubCluster, { dir: EXTERNAL_DNS_CRD_DIR })]);
    newHub = new KubeClient(hubCluster.kubeConfig, { cluster: 'restored-hub' });
    await new ResourceClient(newHub, Namespaces).create({ metadata: { name: HUB_NAMESPACE } });
    for (const secret of backup.secrets) await new ResourceClient(newHub, Secrets).create(secret);
    for (const member of backup.members) await new ResourceClient(newHub, MemberClusters).create(member);
    for (const cluster of backup.clusters) await new ResourceClient(newHub, PrometheusClusters).create(cluster);
    newHubProcess = await startNodeProcess({
      name: 'promfleet-hub-restored',
      entry: ENTRIES.hub,
      args: [`--kubeconfig=${hubCluster.kubeconfigFile}`, `--namespace=${HUB_NAMESPACE}`, ...PROBE, '--log-level=info'],
    });

    const hubStarted = Date.now();
    // The member's replica is adopted as it is: never Conflict, never re-created.
    const clusters = new ResourceClient(newHub, PrometheusClusters);
    const phases = new Set<string>();
    const after = await eventually('the restored cloud Ready with eu-west in DNS', async () => {
      const current = await clusters.get('cloud', 'default');
      for (const e of current?.status?.clusters ?? []) phases.add(e.phase);
      return current?.status?.phase === 'Ready' && current.status.endpoints?.[0]?.targets.length === 1 ? current : undefined;
    });
    console.log(`restored hub: Ready with the member's replica adopted and its DNS record ${String(Date.now() - hubStarted)} ms after it started serving`);
    expect(phases).not.toContain('Conflict');
    expect(entry(after, 'eu-west')).toMatchObject({ phase: 'Running', ready: true });
    expect(after.status?.endpoints).toEqual(before.status?.endpoints);
    const adopted = await new ResourceClient(eu, PrometheusReplicas).get('cloud', MEMBER_NAMESPACE);
    expect([adopted?.metadata.uid, adopted?.metadata.generation]).toEqual([replica?.metadata.uid, replica?.metadata.generation]);
    const dnsAfter = await eventually('the DNSEndpoint again', () => new ResourceClient(newHub ?? pf.hub, DNSEndpoints).get('cloud', 'default'));
    expect(dnsAfter.spec).toEqual(dnsBefore?.spec);

    // The old credential was in the lost cluster (and in the backup): a re-join with --rotate
    // gives the new hub a new one and revokes it.
    try {
      expect(await statusOf(() => new ResourceClient(oldCredential, PrometheusReplicas).list({ namespace: MEMBER_NAMESPACE }))).toBe('ok');
      const rejoin = await runCli([
        'join',
        'eu-west',
        `--member-kubeconfig=${memberKubeconfig()}`,
        `--hub-kubeconfig=${hubCluster.kubeconfigFile}`,
        '--rotate',
      ]);
      expect(rejoin.code, rejoin.stderr).toBe(0);
      expect(rejoin.stderr).toContain('[member eu-west] previous token: revoked (the member answers 401)');
      expect(rejoin.stderr.trimEnd().split('\n').at(-1)).toMatch(
        /^joined eu-west \(1 created, 1 updated, 6 unchanged, token issued, 1 earlier token revoked\): /,
      );
      expect(await statusOf(() => new ResourceClient(oldCredential, PrometheusReplicas).list({ namespace: MEMBER_NAMESPACE }))).toBe(401);
    } finally {
      await oldCredential.close();
    }
    // The hub switches to the new token (the expiry it reports is the new token's) and the
    // member stays Ready with it; the replica keeps serving.
    const stored = await new ResourceClient(newHub, Secrets).get('member-eu-west', HUB_NAMESPACE);
    const token = /token: (\S+)/.exec(Buffer.from(stored?.data?.kubeconfig ?? '', 'base64').toString('utf8'))?.[1] ?? '';
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
    await eventually('eu-west Ready with the new token', async () => {
      const member = await new ResourceClient(newHub ?? pf.hub, MemberClusters).get('eu-west');
      const ready = member?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && Date.parse(member?.status?.credentialExpiresAt ?? '') === exp * 1000;
    });
    expect(entry(await clusters.get('cloud', 'default'), 'eu-west')?.phase).toBe('Running');
  });
});
