import { ANNOTATIONS, DEFAULTS, LABELS, type MemberCluster } from '@promfleet/api';
import { ResourceClient, Secrets } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';
import { HUB_NAMESPACE } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { desiredReplica } from '../src/fanout/desired-replica.ts';
import {
  clustersOf,
  eventsAbout,
  eventually,
  membersOf,
  prometheusCluster,
  Relay,
  replicasOf,
  startHubHarness,
  TIMINGS,
  type HubHarness,
} from './reconcilers.ts';

// The MemberCluster reconciler in-process against one API server whose namespaces are the members.
let hub: HubHarness;

beforeAll(async () => {
  hub = await startHubHarness();
});

afterAll(async () => {
  await hub.stop();
});

const condition = (member: MemberCluster | undefined, type: string) => findCondition(member?.status?.conditions, type);
const secrets = () => new ResourceClient(hub.admin, Secrets);

/** A MemberCluster naming a credential Secret in the hub's namespace, as written by hand. */
async function memberNaming(name: string, secret: string): Promise<void> {
  await membersOf(hub.admin).create({
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name },
    spec: { kubeconfigSecretRef: { namespace: HUB_NAMESPACE, name: secret, key: DEFAULTS.kubeconfigKey }, namespace: 'monitoring' },
  });
  await eventually(`MemberCluster ${name} in the cache`, () => hub.caches.members.get(name));
}

describe('MemberReconciler', () => {
  it('connects with the bound credential, probes the member, and reports Ready, CredentialScoped and CredentialExpiring', async () => {
    await hub.join('eu', { platform: 'cloud' });
    const ready = await hub.memberReady('eu');
    expect(ready.metadata.finalizers).toContain('promfleet.io/member-replicas');
    expect(condition(ready, 'Ready')).toMatchObject({
      reason: 'Reachable',
      message: expect.stringMatching(/^reachable and authorized to manage prometheusreplicas \(Kubernetes v1\.20\.2\)$/) as unknown,
    });
    expect(
      await eventually('a successful probe recorded as Scoped', async () => {
        await hub.reconcileMember('eu');
        const member = await membersOf(hub.admin).get('eu');
        return condition(member, 'CredentialScoped')?.reason === 'Scoped' ? member : undefined;
      }),
    ).toMatchObject({ status: { kubernetesVersion: 'v1.20.2', lastProbeTime: expect.any(String) as unknown } });
    expect(condition(await membersOf(hub.admin).get('eu'), 'CredentialExpiring')).toMatchObject({ status: 'False', reason: 'Valid' });
    expect(hub.registry.get('eu')?.namespace).toBe('eu');
    expect(hub.calls.probed).toContain('eu');
    expect(hub.calls.reachability).toContain('eu');
    expect(await hub.hubMetrics.registry.getSingleMetricAsString('promfleet_member_ready')).toContain('promfleet_member_ready{member="eu"} 1');
    expect((await eventsAbout(hub.admin, ready)).map((event) => `${event.type} ${event.reason}`)).toContain('Normal Reachable');
  });

  it.each([
    ['a Secret that does not exist', 'absent', undefined, 'SecretNotFound', `Secret ${HUB_NAMESPACE}/absent not found`],
    ['a Secret not bound to it', 'unbound', {}, 'SecretNotBound', `Secret ${HUB_NAMESPACE}/unbound is not bound to a MemberCluster`],
    ["another member's Secret", 'other', { [LABELS.member]: 'eu' }, 'SecretBoundToOtherMember', `Secret ${HUB_NAMESPACE}/other is bound to MemberCluster eu`],
  ] as const)('refuses %s: Ready=False naming why, no connection, a Warning', async (_what, name, labels, reason, message) => {
    const member = `bad-${name}`;
    if (labels !== undefined) {
      await secrets().create({
        metadata: { name, namespace: HUB_NAMESPACE, labels: { ...labels } },
        stringData: { [DEFAULTS.kubeconfigKey]: 'apiVersion: v1' },
      });
      await eventually(`Secret ${name} in the cache`, () => hub.caches.secrets.get(`${HUB_NAMESPACE}/${name}`));
    }
    await memberNaming(member, name);
    const refused = await hub.memberReady(member, 'False');
    expect(condition(refused, 'Ready')).toMatchObject({ reason, message: expect.stringContaining(message) as unknown });
    expect(condition(refused, 'CredentialScoped')).toMatchObject({ status: 'Unknown', reason });
    expect(hub.registry.get(member)).toBeUndefined();
    expect(await eventsAbout(hub.admin, refused)).toContainEqual(expect.objectContaining({ type: 'Warning', reason }));
  });

  it('refuses a bound Secret whose kubeconfig runs a program, by its key, and never shows its content', async () => {
    const sentinel = 'sentinel-1b7e-never-shown';
    await secrets().create({
      metadata: { name: 'exec', namespace: HUB_NAMESPACE, labels: { [LABELS.member]: 'bad-exec' } },
      stringData: {
        [DEFAULTS.kubeconfigKey]: `users: [{name: u, user: {exec: {command: ${sentinel}}}}]\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n`,
      },
    });
    await eventually('Secret exec in the cache', () => hub.caches.secrets.get(`${HUB_NAMESPACE}/exec`));
    await memberNaming('bad-exec', 'exec');
    const refused = await hub.memberReady('bad-exec', 'False');
    expect(condition(refused, 'Ready')).toMatchObject({
      reason: 'KubeconfigUnsupported',
      message: expect.stringContaining('users[0].user has exec') as unknown,
    });
    expect(JSON.stringify(refused.status)).not.toContain(sentinel);
    expect(hub.registry.get('bad-exec')).toBeUndefined();
  });

  it('turns a member that stops answering Offline after the grace period, and Ready again when it answers', async () => {
    const relay = new Relay(new URL(hub.fleet.cluster('hub').server));
    await relay.open();
    try {
      await hub.join('flaky', { platform: 'edge' }, relay.url);
      await hub.memberReady('flaky');
      const before = hub.calls.reachability.filter((member) => member === 'flaky').length;
      await relay.close();
      const offline = await hub.memberReady('flaky', 'False');
      expect(condition(offline, 'Ready')).toMatchObject({ reason: 'Offline', message: expect.stringContaining('no successful probe since') as unknown });
      expect(hub.calls.reachability.filter((member) => member === 'flaky').length).toBeGreaterThan(before);
      expect(await hub.hubMetrics.registry.getSingleMetricAsString('promfleet_member_ready')).toContain('promfleet_member_ready{member="flaky"} 0');
      // Inside the grace period the reconciler asks to look again when it ends.
      await relay.open();
      const back = await hub.memberReady('flaky');
      expect(condition(back, 'Ready')?.reason).toBe('Reachable');
    } finally {
      await relay.close();
    }
  });

  it("deletes the replicas it made for a member that leaves — not another's, not an orphaned cluster's — before letting it go", async () => {
    await hub.join('leaving', { platform: 'cloud' });
    await hub.memberReady('leaving');
    const member = hub.caches.members.get('leaving');
    if (!member) throw new Error('no member');
    const orphaned = await clustersOf(hub.admin).create(prometheusCluster('orphaned', { platform: 'none' }, { deletionPolicy: 'Orphan' }));
    await eventually('the orphaned cluster in the cache', () => hub.caches.clusters.get('default/orphaned'));
    const replicas = replicasOf(hub.admin);
    await replicas.create(desiredReplica(prometheusCluster('managed', { platform: 'cloud' }), member));
    await replicas.create(desiredReplica(orphaned, member));
    await replicas.create({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusReplica',
      metadata: { name: 'theirs', namespace: 'leaving' },
      spec: { configMap: 'c', bucketSecret: 's' },
    } as never);
    await eventually("three replicas in the hub's cache of the member", () => hub.registry.get('leaving')?.replicas.list().length === 3);

    await membersOf(hub.admin).delete('leaving');
    await eventually('the cache sees leaving deleted', () => hub.caches.members.get('leaving')?.metadata.deletionTimestamp);
    expect(await hub.reconcileMember('leaving')).toBeUndefined();
    expect((await replicas.list({ namespace: 'leaving' })).items.map((replica) => replica.metadata.name).sort()).toEqual(['orphaned', 'theirs']);
    expect(hub.registry.get('leaving')).toBeUndefined();
    await eventually('leaving gone', async () => (await membersOf(hub.admin).get('leaving')) === undefined);
  });

  it(`keeps the member's replicas when it leaves annotated ${ANNOTATIONS.keepReplicas}`, async () => {
    await hub.join('keeping', { platform: 'cloud' });
    const member = await hub.memberReady('keeping');
    await replicasOf(hub.admin).create(desiredReplica(prometheusCluster('kept', { platform: 'cloud' }), member));
    await eventually("the replica in the hub's cache of the member", () => hub.registry.get('keeping')?.replicas.list().length === 1);
    await membersOf(hub.admin).patch('keeping', undefined, { metadata: { annotations: { [ANNOTATIONS.keepReplicas]: 'true' } } }, { type: 'merge' });
    await membersOf(hub.admin).delete('keeping');
    await eventually(
      'the cache sees keeping deleted, annotated',
      () =>
        hub.caches.members.get('keeping')?.metadata.deletionTimestamp && hub.caches.members.get('keeping')?.metadata.annotations?.[ANNOTATIONS.keepReplicas],
    );
    expect(await hub.reconcileMember('keeping')).toBeUndefined();
    expect(await replicasOf(hub.admin).get('kept', 'keeping')).toBeDefined();
    await eventually('keeping gone', async () => (await membersOf(hub.admin).get('keeping')) === undefined);
  });

  it('gives up on the replicas of a member it cannot reach after the deletion timeout, with a Warning', async () => {
    const relay = new Relay(new URL(hub.fleet.cluster('hub').server));
    await relay.open();
    try {
      await hub.join('gone', { platform: 'cloud' }, relay.url);
      const member = await hub.memberReady('gone');
      await replicasOf(hub.admin).create(desiredReplica(prometheusCluster('stuck', { platform: 'cloud' }), member));
      await eventually("the replica in the hub's cache of the member", () => hub.registry.get('gone')?.replicas.list().length === 1);
      await relay.close();
      await eventually('gone unreachable', () => hub.registry.get('gone')?.health.last?.ok === false);
      await membersOf(hub.admin).delete('gone');
      const deleting = await eventually('the cache sees gone deleted', () => {
        const cached = hub.caches.members.get('gone');
        return cached?.metadata.deletionTimestamp ? cached : undefined;
      });
      expect(await hub.reconcileMember('gone')).toEqual({ requeueAfterMs: 5_000 });
      expect((await membersOf(hub.admin).get('gone'))?.metadata.finalizers).toContain('promfleet.io/member-replicas');
      await eventually(
        'gone let go after the deletion timeout',
        async () => {
          await hub.reconcileMember('gone');
          return (await membersOf(hub.admin).get('gone')) === undefined;
        },
        TIMINGS.deletionTimeoutMs + 30_000,
        500,
      );
      const warning = (await eventsAbout(hub.admin, deleting)).find((event) => event.reason === 'DeletionTimedOut');
      expect(warning).toMatchObject({
        type: 'Warning',
        message: expect.stringMatching(/^gave up after \d+s; left in the member: gone\/stuck \(unreachable\)$/) as unknown,
      });
      expect(await replicasOf(hub.admin).get('stuck', 'gone')).toBeDefined();
    } finally {
      await relay.close();
    }
  });
});
