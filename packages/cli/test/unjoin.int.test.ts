import { LABELS, MANAGED_BY_HUB, MemberClusters, PrometheusReplicas } from '@promfleet/api';
import { KubeClient, Namespaces, resourceType, RoleBindings, Roles, Secrets, ServiceAccounts, type KubeObject } from '@promfleet/kube/client';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { buildKubeconfig, freePort, installCRDs, kubeconfigYAML, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { join, JoinError, unjoin, type JoinOptions } from '../src/index.ts';
import { adminClient, eventually, resources, storedCredential } from './helpers.ts';

let fleet: Fleet;
let hub: KubeClient;
let member: KubeClient;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['hub', 'member'], loadBalancer: false });
  await Promise.all([installCRDs(fleet.cluster('hub')), installCRDs(fleet.cluster('member'))]);
  hub = adminClient(fleet.cluster('hub'), 'hub').client;
  member = adminClient(fleet.cluster('member'), 'member').client;
});

afterAll(async () => {
  await Promise.allSettled([hub.close(), member.close()]);
  await fleet.stop();
});

const joinOptions = (name: string, namespace: string): JoinOptions => ({ name, member, hub, namespace, memberCA: fleet.cluster('member').ca });

const ClusterRoles = resourceType<KubeObject & { rules: unknown[] }>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
const ClusterRoleBindings = resourceType<KubeObject & { roleRef: unknown; subjects: unknown[] }>(
  'rbac.authorization.k8s.io',
  'v1',
  'clusterrolebindings',
  'ClusterRoleBinding',
  false,
);

function hubManagedReplica(name: string, namespace: string, memberName: string | undefined) {
  const labels = memberName === undefined ? {} : { [LABELS.managedBy]: MANAGED_BY_HUB, [LABELS.member]: memberName };
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusReplica',
    metadata: { name, namespace, labels },
    spec: { configMap: 'c', bucketSecret: 'b' } as never,
  };
}

/** A SubjectAccessReview: whether a user may list Secrets in a namespace. */
async function mayReadSecrets(user: string, namespace: string): Promise<boolean> {
  const review = await member.request<{ status?: { allowed?: boolean } }>({
    verb: 'create',
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user, resourceAttributes: { verb: 'list', resource: 'secrets', namespace } },
    },
  });
  return review.status?.allowed === true;
}

async function replicaNames(namespace: string): Promise<string[]> {
  return (await resources(member, PrometheusReplicas).list({ namespace })).items.map((replica) => replica.metadata.name).sort();
}

async function credentialObjects(namespace: string): Promise<string[]> {
  const found = await Promise.all([
    resources(member, ServiceAccounts).get('promfleet-hub', namespace),
    resources(member, Roles).get('promfleet-hub', namespace),
    resources(member, RoleBindings).get('promfleet-hub', namespace),
  ]);
  return found.filter((object) => object !== undefined).map((object) => object.kind);
}

describe('join refuses an over-privileged credential', () => {
  it('registers nothing in the hub when the service account is also bound to a ClusterRole', async () => {
    // Someone bound promfleet-hub in namespace greedy to a secret-reading ClusterRole before the join.
    await resources(member, ClusterRoles).create({
      metadata: { name: 'secret-reader' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    });
    await resources(member, ClusterRoleBindings).create({
      metadata: { name: 'greedy-secret-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: 'greedy' }],
    });
    const error = await join(joinOptions('greedy', 'greedy')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinError);
    const refusal = error as JoinError;
    // The token of a refused join is revoked at once: the Secret it was bound to is gone.
    expect(refusal.message.replace(/promfleet-hub-binding-[a-z0-9]+/g, 'promfleet-hub-binding-*')).toBe(
      'refusing to register greedy: the credential can also get/list/watch secrets ' +
        '(ServiceAccount greedy/promfleet-hub is also bound by ClusterRoleBinding greedy-secret-reader to ClusterRole secret-reader). ' +
        'Nothing was written to the hub. In member greedy: created Namespace greedy, ServiceAccount greedy/promfleet-hub, Role greedy/promfleet-hub, RoleBinding greedy/promfleet-hub, Secret greedy/promfleet-hub-binding-*; ' +
        'issued token for ServiceAccount greedy/promfleet-hub; deleted Secret greedy/promfleet-hub-binding-*; re-run the join once fixed, or remove them with `promfleet unjoin greedy`.',
    );
    expect(refusal.excess).toEqual(['get secrets', 'list secrets', 'watch secrets']);
    expect(refusal.hubChanges).toEqual([]);
    expect(await resources(hub, MemberClusters).get('greedy')).toBeUndefined();
    expect(await resources(hub, Secrets).get('member-greedy', 'promfleet-system')).toBeUndefined();

    // Once the extra binding is gone (and the authorizer has seen it go), the same join goes through.
    await resources(member, ClusterRoleBindings).delete('greedy-secret-reader');
    await eventually('the authorizer forgets the extra binding', async () => !(await mayReadSecrets('system:serviceaccount:greedy:promfleet-hub', 'greedy')));
    await join(joinOptions('greedy', 'greedy'));
    expect(await resources(hub, MemberClusters).get('greedy')).toBeDefined();
  });

  it('finds rights in other namespaces, which the rules review of its own namespace cannot see', async () => {
    // A RoleBinding in another namespace: invisible to a SelfSubjectRulesReview of namespace sneaky.
    await resources(member, Roles).create({
      metadata: { name: 'reader', namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] }],
    });
    await resources(member, RoleBindings).create({
      metadata: { name: 'leak', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: 'sneaky' }],
    });
    const error = await join(joinOptions('sneaky', 'sneaky')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinError);
    expect((error as JoinError).message).toMatch(
      /^refusing to register sneaky: the credential can also get configmaps in default, get secrets in default \(ServiceAccount sneaky\/promfleet-hub is also bound by RoleBinding default\/leak to Role reader\)\. Nothing was written to the hub\./,
    );
    expect(await resources(hub, MemberClusters).get('sneaky')).toBeUndefined();
    const cleanup = await unjoin({ name: 'sneaky', hub, member, namespace: 'sneaky' });
    expect(cleanup.removed).toEqual(['RoleBinding sneaky/promfleet-hub', 'Role sneaky/promfleet-hub', 'ServiceAccount sneaky/promfleet-hub']);
  });
});

describe('unjoin', () => {
  it('removes the hub-managed replicas, the credential and the registration, and nothing else', async () => {
    await join(joinOptions('eu', 'monitoring'));
    const replicas = resources(member, PrometheusReplicas);
    await replicas.create(hubManagedReplica('fleet-a', 'monitoring', 'eu'));
    await replicas.create(hubManagedReplica('other-member', 'monitoring', 'us'));
    await replicas.create(hubManagedReplica('hand-made', 'monitoring', undefined));

    const result = await unjoin({ name: 'eu', hub, member });
    expect(result.removed.map((subject) => subject.replace(/promfleet-hub-binding-[a-z0-9]+$/, 'promfleet-hub-binding-*'))).toEqual([
      'RoleBinding monitoring/promfleet-hub',
      'PrometheusReplica monitoring/fleet-a',
      'Role monitoring/promfleet-hub',
      'Secret monitoring/promfleet-hub-binding-*',
      'ServiceAccount monitoring/promfleet-hub',
      'Secret promfleet-system/member-eu',
      'MemberCluster eu',
    ]);
    expect(result.leftBehind).toEqual([]);
    expect(await replicaNames('monitoring')).toEqual(['hand-made', 'other-member']);
    expect(await credentialObjects('monitoring')).toEqual([]);
    expect(await resources(hub, MemberClusters).get('eu')).toBeUndefined();
    expect(await storedCredential(hub, 'eu')).toBeUndefined();
    // The other member joined to the same hub is untouched.
    expect(await resources(hub, MemberClusters).get('greedy')).toBeDefined();
    expect(await credentialObjects('greedy')).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);

    const again = await unjoin({ name: 'eu', hub, member });
    expect(again.removed).toEqual([]);
    expect(again.absent).toHaveLength(5);
  });

  it('keeps the replicas with keepReplicas and says so', async () => {
    await join(joinOptions('kept', 'kept'));
    await resources(member, PrometheusReplicas).create(hubManagedReplica('fleet-b', 'kept', 'kept'));
    const result = await unjoin({ name: 'kept', hub, member, keepReplicas: true });
    expect(result.leftBehind).toEqual([{ object: 'PrometheusReplica kept/fleet-b', kind: 'kept', reason: 'kept (--keep-replicas)' }]);
    expect(await replicaNames('kept')).toEqual(['fleet-b']);
    expect(await credentialObjects('kept')).toEqual([]);
    expect(await resources(hub, MemberClusters).get('kept')).toBeUndefined();
  });

  it('never deletes a ServiceAccount, Role, RoleBinding or hub Secret of that name that join did not make for the member, and names their owner', async () => {
    // A hub that is also a member: the hub chart's own promfleet-hub objects in its namespace, and
    // a credential Secret a user made by hand.
    const helm = (namespace: string) => ({
      name: 'promfleet-hub',
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'promfleet-hub', 'meta.helm.sh/release-namespace': namespace },
    });
    await resources(member, Namespaces).create({ metadata: { name: 'hub-own' } });
    const own = [
      await resources(member, ServiceAccounts).create({ metadata: helm('hub-own') }),
      await resources(member, Roles).create({ metadata: helm('hub-own'), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }),
      await resources(member, RoleBindings).create({
        metadata: helm('hub-own'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'promfleet-hub' },
        subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: 'hub-own' }],
      }),
    ];
    const handMade = await resources(hub, Secrets).create({
      metadata: { name: 'member-hub-own', namespace: 'promfleet-system' },
      stringData: { kubeconfig: 'hand-made' },
    });

    const result = await unjoin({ name: 'hub-own', hub, member, namespace: 'hub-own' });
    const helmOwned = "not promfleet join's for hub-own: it belongs to Helm release promfleet-hub (namespace hub-own)";
    expect(result.leftBehind).toEqual([
      { object: 'RoleBinding hub-own/promfleet-hub', kind: 'not-ours', reason: helmOwned },
      { object: 'Role hub-own/promfleet-hub', kind: 'not-ours', reason: helmOwned },
      { object: 'ServiceAccount hub-own/promfleet-hub', kind: 'not-ours', reason: helmOwned },
      { object: 'Secret promfleet-system/member-hub-own', kind: 'not-ours', reason: "not promfleet join's for hub-own: it belongs to field manager promfleet" },
    ]);
    expect(result.removed).toEqual([]);
    const after = await Promise.all([
      resources(member, ServiceAccounts).get('promfleet-hub', 'hub-own'),
      resources(member, Roles).get('promfleet-hub', 'hub-own'),
      resources(member, RoleBindings).get('promfleet-hub', 'hub-own'),
    ]);
    expect(after.map((object) => object?.metadata?.resourceVersion)).toEqual(own.map((object) => object.metadata?.resourceVersion));
    expect((await resources(hub, Secrets).get('member-hub-own', 'promfleet-system'))?.metadata?.resourceVersion).toBe(handMade.metadata?.resourceVersion);
  });

  it('cleans up the hub alone when the member is unreachable, listing what stays there', async () => {
    const port = await freePort();
    const nowhere = new KubeClient(
      loadKubeConfig({
        text: kubeconfigYAML(
          buildKubeconfig({ name: 'nowhere', server: `https://127.0.0.1:${String(port)}`, ca: fleet.cluster('member').ca, user: { token: 'unused' } }),
        ),
      }),
      { cluster: 'greedy' },
    );
    const result = await unjoin({ name: 'greedy', hub, member: nowhere });
    await nowhere.close();
    const reason = `member unreachable at https://127.0.0.1:${String(port)}`;
    expect(result.leftBehind).toEqual([
      { object: 'RoleBinding greedy/promfleet-hub', kind: 'unreachable', reason },
      { object: `PrometheusReplicas in greedy labelled ${LABELS.managedBy}=${MANAGED_BY_HUB},${LABELS.member}=greedy`, kind: 'unreachable', reason },
      { object: 'Role greedy/promfleet-hub', kind: 'unreachable', reason },
      { object: 'token binding Secrets in greedy labelled app.kubernetes.io/managed-by=promfleet-cli,promfleet.io/member=greedy', kind: 'unreachable', reason },
      { object: 'ServiceAccount greedy/promfleet-hub', kind: 'unreachable', reason },
    ]);
    expect(result.removed).toEqual(['Secret promfleet-system/member-greedy', 'MemberCluster greedy']);
    expect(await resources(hub, MemberClusters).get('greedy')).toBeUndefined();
    expect(await credentialObjects('greedy')).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
  });
});
