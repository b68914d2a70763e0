import { LABELS, MEMBER_CREDENTIAL, REPLICA_RULES, MemberClusters, PrometheusReplicas } from '@promfleet/api';
import {
  ConfigMaps,
  isConnectionError,
  KubeClient,
  Namespaces,
  Pods,
  RoleBindings,
  Roles,
  Secrets,
  resourceType,
  ServiceAccounts,
  type KubeObject,
} from '@promfleet/kube/client';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { requestCount, WRITE_VERBS } from '@promfleet/kube/testing';
import { installCRDs, startFleet, statusOf, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { join, JoinError, type JoinOptions, type Step } from '../src/index.ts';
import { adminClient, credentialClient, eventually, jwtClaims, resources, runCli, storedCredential } from './helpers.ts';

let fleet: Fleet;
let hub: KubeClient;
let member: KubeClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['hub', 'member', 'bare'], loadBalancer: false });
  await Promise.all([installCRDs(fleet.cluster('hub')), installCRDs(fleet.cluster('member'))]);
  hub = adminClient(fleet.cluster('hub'), 'hub').client;
  member = adminClient(fleet.cluster('member'), 'eu-west').client;
});

afterAll(async () => {
  await Promise.allSettled([hub.close(), member.close()]);
  await fleet.stop();
});

function joinOptions(overrides: Partial<JoinOptions> = {}): JoinOptions & { steps: Step[] } {
  const steps: Step[] = [];
  return { name: 'eu-west', member, hub, memberCA: fleet.cluster('member').ca, onProgress: (step) => steps.push(step), ...overrides, steps };
}

/** Join's token binding Secrets of eu-west in monitoring. */
async function tokenBindings() {
  return (
    await resources(member, Secrets).list({ namespace: 'monitoring', labelSelector: 'app.kubernetes.io/managed-by=promfleet-cli,promfleet.io/member=eu-west' })
  ).items.filter((secret) => secret.type === 'promfleet.io/token-binding');
}

/** The Secret a token is bound to. */
const boundTo = (token: string) => (jwtClaims(token)['kubernetes.io'] as { secret?: { name?: string } } | undefined)?.secret?.name;

/** A step's subject with the generated name of a token binding made stable. */
const anyBinding = (subject: string) => subject.replace(/promfleet-hub-binding-[a-z0-9]+$/, 'promfleet-hub-binding-*');

const replica = (name: string, namespace: string) => ({
  apiVersion: 'promfleet.io/v1alpha1',
  kind: 'PrometheusReplica',
  metadata: { name, namespace },
  spec: { configMap: 'prometheus-config', bucketSecret: 'bucket' } as never,
});

describe('join', () => {
  it('creates the scoped credential in the member and registers it in the hub', async () => {
    const options = joinOptions({ labels: { region: 'eu-west-1', platform: 'cloud' } });
    const result = await join(options);
    expect(result).toMatchObject({ name: 'eu-west', namespace: 'monitoring', hubNamespace: 'promfleet-system', token: 'issued', changed: true });
    expect(options.steps.map((step) => `${step.scope} ${anyBinding(step.subject)}: ${step.outcome}`)).toEqual([
      'hub CustomResourceDefinition memberclusters.promfleet.io: checked',
      'member CustomResourceDefinition prometheusreplicas.promfleet.io: checked',
      'member Namespace monitoring: created',
      'member ServiceAccount monitoring/promfleet-hub: created',
      'member Role monitoring/promfleet-hub: created',
      'member RoleBinding monitoring/promfleet-hub: created',
      'member Secret monitoring/promfleet-hub-binding-*: created',
      'member token for ServiceAccount monitoring/promfleet-hub: issued',
      'member credential promfleet-hub@eu-west: verified',
      'hub Namespace promfleet-system: created',
      'hub Secret promfleet-system/member-eu-west: created',
      'hub MemberCluster eu-west: created',
    ]);

    const managed = 'app.kubernetes.io/managed-by=promfleet-cli';
    const names = async (type: Parameters<typeof resources>[1]) =>
      (await resources(member, type).list({ labelSelector: managed })).items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    expect(await names(ServiceAccounts)).toEqual(['monitoring/promfleet-hub']);
    expect(await names(Roles)).toEqual(['monitoring/promfleet-hub']);
    expect(await names(RoleBindings)).toEqual(['monitoring/promfleet-hub']);

    const role = await resources(member, Roles).get(MEMBER_CREDENTIAL.role, 'monitoring');
    expect(role?.rules).toEqual(REPLICA_RULES.map((rule) => ({ apiGroups: rule.apiGroups, resources: rule.resources, verbs: rule.verbs })));
    const binding = await resources(member, RoleBindings).get(MEMBER_CREDENTIAL.roleBinding, 'monitoring');
    expect(binding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'promfleet-hub' });
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: 'monitoring' }]);

    const secret = await resources(hub, Secrets).get('member-eu-west', 'promfleet-system');
    expect(secret?.type).toBe('Opaque');
    expect(secret?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'promfleet-cli', [LABELS.member]: 'eu-west' });
    expect(Object.keys(secret?.data ?? {})).toEqual(['kubeconfig']);
    const stored = await storedCredential(hub, 'eu-west');
    expect(stored?.config.users.map((user) => user.name)).toEqual(['promfleet-hub@eu-west']);
    expect(stored?.config.contexts[0]?.context.namespace).toBe('monitoring');
    expect(stored?.config.clusters[0]?.cluster.server).toBe(fleet.cluster('member').server);
    expect(jwtClaims(stored?.token ?? '')).toMatchObject({ sub: 'system:serviceaccount:monitoring:promfleet-hub' });
    // Bound to a Secret of its own, which the ServiceAccount owns: deleting that Secret revokes the token.
    const bindings = await tokenBindings();
    expect(bindings.map((binding) => [binding.type, binding.metadata?.ownerReferences?.[0]?.kind, binding.data])).toEqual([
      ['promfleet.io/token-binding', 'ServiceAccount', undefined],
    ]);
    expect(jwtClaims(stored?.token ?? '')).toMatchObject({
      'kubernetes.io': { secret: { name: bindings[0]?.metadata?.name, uid: bindings[0]?.metadata?.uid } },
    });

    const registered = await resources(hub, MemberClusters).get('eu-west');
    expect(registered?.metadata.labels).toEqual({ region: 'eu-west-1', platform: 'cloud' });
    expect(registered?.spec).toEqual({
      kubeconfigSecretRef: { name: 'member-eu-west', namespace: 'promfleet-system', key: 'kubeconfig' },
      namespace: 'monitoring',
    });
  });

  it('gives a credential that manages PrometheusReplicas in its namespace and is denied everything else', async () => {
    const credential = await credentialClient(hub, 'eu-west');
    try {
      const replicas = resources(credential, PrometheusReplicas);
      expect(await statusOf(() => replicas.create(replica('probe', 'monitoring')))).toBe('ok');
      expect(await statusOf(() => replicas.get('probe', 'monitoring'))).toBe('ok');
      expect((await replicas.list({ namespace: 'monitoring' })).items.map((r) => r.metadata.name)).toEqual(['probe']);
      expect(await statusOf(() => replicas.patch('probe', 'monitoring', { metadata: { labels: { patched: 'yes' } } }))).toBe('ok');
      expect(await replicas.delete('probe', 'monitoring')).toBe(true);

      expect(await statusOf(() => resources(credential, Secrets).list({ namespace: 'monitoring' }))).toBe(403);
      expect(await statusOf(() => resources(credential, Secrets).get('any', 'monitoring'))).toBe(403);
      expect(await statusOf(() => resources(credential, Pods).list({ namespace: 'monitoring' }))).toBe(403);
      expect(await statusOf(() => resources(credential, ConfigMaps).list({ namespace: 'monitoring' }))).toBe(403);
      expect(await statusOf(() => resources(credential, ConfigMaps).create({ metadata: { name: 'x', namespace: 'monitoring' } }))).toBe(403);
      expect(await statusOf(() => replicas.list({ namespace: 'default' }))).toBe(403);
      expect(await statusOf(() => replicas.create(replica('probe', 'default')))).toBe(403);
      expect(await statusOf(() => replicas.list())).toBe(403);
      expect(await statusOf(() => resources(credential, Roles).list({ namespace: 'monitoring' }))).toBe(403);
    } finally {
      await credential.close();
    }
  });

  it('writes nothing on a second run and keeps the token', async () => {
    const before = await storedCredential(hub, 'eu-west');
    const counted = { member: adminClient(fleet.cluster('member'), 'eu-west'), hub: adminClient(fleet.cluster('hub'), 'hub') };
    const options = joinOptions({ member: counted.member.client, hub: counted.hub.client });
    try {
      const result = await join(options);
      expect(result.changed).toBe(false);
      expect(result.token).toBe('kept');
      expect(await requestCount(counted.member.metrics, { verb: WRITE_VERBS })).toBe(0);
      expect(await requestCount(counted.hub.metrics, { verb: WRITE_VERBS })).toBe(0);
      expect(await requestCount(counted.member.metrics)).toBeGreaterThan(0);
      expect(new Set(options.steps.map((step) => step.outcome))).toEqual(new Set(['checked', 'exists', 'unchanged', 'kept', 'verified']));
      // Labels were not given: the ones from the first run stay.
      expect((await resources(hub, MemberClusters).get('eu-west'))?.metadata.labels).toEqual({ region: 'eu-west-1', platform: 'cloud' });
    } finally {
      await Promise.all([counted.member.client.close(), counted.hub.client.close()]);
    }
    expect((await storedCredential(hub, 'eu-west'))?.token).toBe(before?.token);
  });

  it('replaces the labels when they are given again, including labels someone else added', async () => {
    await resources(hub, MemberClusters).patch('eu-west', undefined, { metadata: { labels: { 'added-by-hand': 'yes' } } });
    const options = joinOptions({ labels: { region: 'eu-west-2' } });
    await join(options);
    expect((await resources(hub, MemberClusters).get('eu-west'))?.metadata.labels).toEqual({ region: 'eu-west-2' });
    expect(options.steps.filter((step) => step.scope === 'hub' && step.outcome === 'updated').map((step) => step.subject)).toEqual([
      'MemberCluster eu-west',
      'MemberCluster eu-west',
    ]);
  });

  it('issues a new token with rotate, rewriting only the Secret in the hub, and revokes the old one: the member rejects it (401), the new one works', async () => {
    const before = await storedCredential(hub, 'eu-west');
    const oldToken = await credentialClient(hub, 'eu-west');
    const [oldBinding] = await tokenBindings();
    const counted = adminClient(fleet.cluster('hub'), 'hub');
    const options = joinOptions({ hub: counted.client, rotate: true });
    try {
      expect(await statusOf(() => resources(oldToken, PrometheusReplicas).list({ namespace: 'monitoring' }))).toBe('ok');
      const result = await join(options);
      expect(result.token).toBe('issued');
      expect(await requestCount(counted.metrics, { verb: WRITE_VERBS })).toBe(1);
      // join returns once the member rejects the old token: no waiting here.
      expect(await statusOf(() => resources(oldToken, PrometheusReplicas).list({ namespace: 'monitoring' }))).toBe(401);
    } finally {
      await Promise.all([counted.client.close(), oldToken.close()]);
    }
    const after = await storedCredential(hub, 'eu-west');
    expect(after?.token).not.toBe(before?.token);
    expect(options.steps.find((step) => step.subject === 'Secret promfleet-system/member-eu-west')?.outcome).toBe('updated');
    expect(options.steps.find((step) => step.subject.startsWith('token'))?.detail).toMatch(/^rotation requested; expires /);
    expect(
      options.steps
        .filter((step) => step.outcome === 'deleted' || step.outcome === 'revoked')
        .map((step) => `${step.subject}: ${step.outcome} (${step.detail ?? ''})`),
    ).toEqual([
      `Secret monitoring/${oldBinding?.metadata?.name ?? ''}: deleted (revokes the token bound to it)`,
      'previous token: revoked (the member answers 401)',
    ]);
    expect((await tokenBindings()).map((binding) => binding.metadata?.name)).toEqual([boundTo(after?.token ?? '')]);
    const credential = await credentialClient(hub, 'eu-west');
    expect(await statusOf(() => resources(credential, PrometheusReplicas).list({ namespace: 'monitoring' }))).toBe('ok');
    await credential.close();
  });

  it('revokes a token that left the hub, whoever holds it, on the next issue: re-joining a hub that lost its Secret', async () => {
    // A copy of the credential (a leak, or a hub cluster that was lost with it), then a hub without it.
    const leaked = await credentialClient(hub, 'eu-west');
    await resources(hub, Secrets).delete('member-eu-west', 'promfleet-system');
    const options = joinOptions();
    try {
      expect((await join(options)).token).toBe('issued');
      expect(options.steps.find((step) => step.subject.startsWith('token'))?.detail).toMatch(/^the hub has no token yet; /);
      expect(options.steps.filter((step) => step.outcome === 'deleted')).toHaveLength(1);
      await eventually(
        'the member rejects the leaked token',
        async () => (await statusOf(() => resources(leaked, PrometheusReplicas).list({ namespace: 'monitoring' }))) === 401,
        30_000,
      );
    } finally {
      await leaked.close();
    }
  });

  it('re-creates a ServiceAccount a join before token binding made when it issues a token, which revokes the unbound tokens; a plain re-run keeps it', async () => {
    const legacy = joinOptions({ name: 'legacy', namespace: 'legacy' });
    await join(legacy);
    // What a join before token binding left: a ServiceAccount without the mark, and a token bound to nothing.
    const accounts = resources(member, ServiceAccounts);
    await accounts.patch('promfleet-hub', 'legacy', { metadata: { annotations: { 'promfleet.io/tokens': null } } });
    const unbound = await member.request<{ status: { token: string } }>({
      verb: 'create',
      method: 'POST',
      path: '/api/v1/namespaces/legacy/serviceaccounts/promfleet-hub/token',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const stored = await storedCredential(hub, 'legacy');
    const leaked = new KubeClient(loadKubeConfig({ text: (stored?.text ?? '').replace(stored?.token ?? '-', unbound.status.token) }), { cluster: 'leaked' });
    const before = await accounts.get('promfleet-hub', 'legacy');
    try {
      expect(await statusOf(() => resources(leaked, PrometheusReplicas).list({ namespace: 'legacy' }))).toBe('ok');
      const rerun = joinOptions({ name: 'legacy', namespace: 'legacy' });
      expect((await join(rerun)).token).toBe('kept');
      expect((await accounts.get('promfleet-hub', 'legacy'))?.metadata?.uid).toBe(before?.metadata?.uid);

      const rotation = joinOptions({ name: 'legacy', namespace: 'legacy', rotate: true });
      expect((await join(rotation)).token).toBe('issued');
      expect(rotation.steps.filter((step) => step.subject === 'ServiceAccount legacy/promfleet-hub').map((step) => step.outcome)).toEqual([
        'unchanged',
        'deleted',
        'created',
      ]);
      expect(rotation.steps.find((step) => step.subject === 'previous token')?.outcome).toBe('revoked');
      await eventually(
        'the member rejects the unbound token',
        async () => (await statusOf(() => resources(leaked, PrometheusReplicas).list({ namespace: 'legacy' }))) === 401,
        30_000,
      );
    } finally {
      await leaked.close();
    }
    const after = await accounts.get('promfleet-hub', 'legacy');
    expect([after?.metadata?.uid === before?.metadata?.uid, after?.metadata?.annotations?.['promfleet.io/tokens']]).toEqual([false, 'bound']);
    const credential = await credentialClient(hub, 'legacy');
    expect(await statusOf(() => resources(credential, PrometheusReplicas).list({ namespace: 'legacy' }))).toBe('ok');
    await credential.close();
  });

  it('refuses to take over a ServiceAccount, Role or RoleBinding promfleet-hub it did not make for this member, naming the owner, and writes nothing', async () => {
    // On a hub that is also a member, the hub chart's own Role promfleet-hub, in the hub's namespace.
    await resources(member, Namespaces).create({ metadata: { name: 'hub-self' } });
    const helmRole = {
      metadata: {
        name: 'promfleet-hub',
        namespace: 'hub-self',
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { 'meta.helm.sh/release-name': 'promfleet-hub', 'meta.helm.sh/release-namespace': 'hub-self' },
      },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    };
    const created = await resources(member, Roles).create(helmRole);
    const run = await runCli([
      'join',
      'hub-self',
      `--member-kubeconfig=${fleet.cluster('member').kubeconfigFile}`,
      `--hub-kubeconfig=${fleet.cluster('hub').kubeconfigFile}`,
      '--namespace=hub-self',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'promfleet: cannot join hub-self: Role hub-self/promfleet-hub belongs to Helm release promfleet-hub (namespace hub-self): join would take it over. ' +
        'Join into another namespace (--namespace), or, if it is left over from an earlier join, remove it first (promfleet unjoin). Nothing was written to the hub. Nothing was changed in member hub-self.',
    );
    const untouched = await resources(member, Roles).get('promfleet-hub', 'hub-self');
    expect([untouched?.metadata?.resourceVersion, untouched?.rules]).toEqual([created.metadata?.resourceVersion, helmRole.rules]);
    expect(await resources(member, ServiceAccounts).get('promfleet-hub', 'hub-self')).toBeUndefined();
    expect(await resources(hub, MemberClusters).get('hub-self')).toBeUndefined();

    // Another member's credential in the same namespace is not this member's either.
    const error = await join(joinOptions({ name: 'eu-west-2' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinError);
    expect((error as Error).message).toMatch(
      /^cannot join eu-west-2: ServiceAccount monitoring\/promfleet-hub belongs to promfleet join for member eu-west; Role monitoring\/promfleet-hub belongs to promfleet join for member eu-west; RoleBinding monitoring\/promfleet-hub belongs to promfleet join for member eu-west: join would take them over\./,
    );
    expect(await resources(hub, MemberClusters).get('eu-west-2')).toBeUndefined();
  });

  it('replaces a stored token the member no longer accepts', async () => {
    // Re-creating the service account invalidates every token issued for the old one.
    await resources(member, ServiceAccounts).delete(MEMBER_CREDENTIAL.serviceAccount, 'monitoring');
    const options = joinOptions();
    const result = await join(options);
    expect(result.token).toBe('issued');
    expect(options.steps.find((step) => step.subject.startsWith('token'))?.detail).toMatch(
      /^the stored token belongs to an earlier ServiceAccount of that name; expires /,
    );
    const credential = await credentialClient(hub, 'eu-west');
    expect(await statusOf(() => resources(credential, PrometheusReplicas).list({ namespace: 'monitoring' }))).toBe('ok');
    await credential.close();
  });

  it('refuses a member without the PrometheusReplica CRD before writing anything', async () => {
    const { client: bare } = adminClient(fleet.cluster('bare'), 'bare');
    const options = joinOptions({ name: 'bare', member: bare, memberCA: fleet.cluster('bare').ca });
    const error = await join(options).catch((e: unknown) => e);
    await bare.close();
    expect(error).toBeInstanceOf(JoinError);
    expect((error as Error).message).toBe(
      'cannot join bare: the CustomResourceDefinition prometheusreplicas.promfleet.io does not exist in member bare: ' +
        'install the replica operator in the member first (helm install promfleet-replica-operator charts/promfleet-replica-operator). ' +
        'Nothing was written to the hub. Nothing was changed in member bare.',
    );
    expect(await resources(hub, MemberClusters).get('bare')).toBeUndefined();
    expect(await resources(hub, Secrets).get('member-bare', 'promfleet-system')).toBeUndefined();
    const { client: check } = adminClient(fleet.cluster('bare'));
    expect(await resources(check, ServiceAccounts).get('promfleet-hub', 'monitoring')).toBeUndefined();
    await check.close();
  });

  it('fails clearly when the member API server is down, leaving the hub untouched', async () => {
    await fleet.cluster('bare').stop();
    const { client: bare } = adminClient(fleet.cluster('bare'), 'bare');
    const error = await join(joinOptions({ name: 'bare', member: bare, memberCA: fleet.cluster('bare').ca })).catch((e: unknown) => e);
    await bare.close();
    expect(error).toBeInstanceOf(JoinError);
    expect(isConnectionError((error as Error).cause)).toBe(true);
    expect((error as Error).message).toMatch(
      /^join bare failed: cannot reach the member API server: bare: get \/apis\/apiextensions.k8s.io\/v1\/customresourcedefinitions\/prometheusreplicas.promfleet.io: ECONNREFUSED/,
    );
    expect((error as Error).message).toMatch(/Nothing was written to the hub. Nothing was changed in member bare.$/);
    expect(await resources(hub, MemberClusters).get('bare')).toBeUndefined();
  });
});

describe('join refuses what its rules review cannot clear', () => {
  interface Rbac extends KubeObject {
    rules?: unknown[];
    roleRef?: { apiGroup: string; kind: string; name: string };
    subjects?: { kind: string; name: string; namespace?: string }[];
  }
  const ClusterRoles = resourceType<Rbac>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
  const ClusterRoleBindings = resourceType<Rbac>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);
  const account = (namespace: string) => [{ kind: 'ServiceAccount', name: MEMBER_CREDENTIAL.serviceAccount, namespace }];

  it('refuses a credential that can also read non-resource URLs (/metrics), naming the binding', async () => {
    await resources(member, ClusterRoles).create({ metadata: { name: 'metrics-reader' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
    await resources(member, ClusterRoleBindings).create({
      metadata: { name: 'nonres-metrics' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
      subjects: account('nonres'),
    });
    const error = await join(joinOptions({ name: 'nonres', namespace: 'nonres' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinError);
    expect((error as Error).message).toContain(
      'refusing to register nonres: the credential can also get /metrics (ServiceAccount nonres/promfleet-hub is also bound by ClusterRoleBinding nonres-metrics to ClusterRole metrics-reader)',
    );
    expect(await resources(hub, MemberClusters).get('nonres')).toBeUndefined();
  });

  it('refuses a credential whose rules review is incomplete, unless told to rely on the probes', async () => {
    // A RoleBinding to a Role that does not exist: the authorizer cannot evaluate every rule.
    await resources(member, Namespaces).create({ metadata: { name: 'gappy' } });
    await resources(member, RoleBindings).create({
      metadata: { name: 'dangling', namespace: 'gappy' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'not-there' },
      subjects: account('gappy'),
    });
    const error = await join(joinOptions({ name: 'gappy', namespace: 'gappy' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinError);
    expect((error as Error).message).toContain(
      "refusing to register gappy: the member's authorizer could not list every rule of the credential (incomplete rules review: ",
    );
    expect((error as Error).message).toContain('re-run with --accept-incomplete-rules');
    expect(await resources(hub, MemberClusters).get('gappy')).toBeUndefined();
    const options = joinOptions({ name: 'gappy', namespace: 'gappy', acceptIncompleteRules: true });
    await join(options);
    expect(options.steps.find((step) => step.outcome === 'verified')?.detail).toContain('only the probes vouch for the rest');
    expect(await resources(hub, MemberClusters).get('gappy')).toBeDefined();
  });
});
