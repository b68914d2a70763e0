import { setTimeout as sleep } from 'node:timers/promises';

import { ANNOTATIONS, DEFAULTS, LABELS, MEMBER_CREDENTIAL, type MemberCluster } from '@promfleet/api';
import { ResourceClient, RoleBindings, Roles, Secrets } from '@promfleet/kube/client';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { findCondition } from '@promfleet/kube/status';
import { HUB_NAMESPACE, Relay } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { desiredReplica } from '../src/fanout/desired-replica.ts';
import { loadCredential } from '../src/members/credential.ts';
import { MemberConnection, type MemberConnectionOptions } from '../src/members/member-connection.ts';
import { MemberRegistry } from '../src/members/member-registry.ts';
import { memberSpread } from '../src/members/member-spread.ts';
import { ROLL_CALL_SPREAD_MS } from '../src/members/roll-call.ts';
import { clustersOf, eventsAbout, eventually, membersOf, prometheusCluster, replicasOf, startHubHarness, TIMINGS, type HubHarness } from './reconcilers.ts';

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

/** Requests a client made to a member, by resource (`selfsubjectaccessreviews`, `prometheusreplicas`, '' for /version), all when absent. */
async function requestsTo(metrics: KitMetrics, member: string, resource?: string): Promise<number> {
  const { values } = await metrics.kubeRequests.get();
  return values.filter((v) => v.labels.cluster === member && (resource === undefined || v.labels.resource === resource)).reduce((sum, v) => sum + v.value, 0);
}

/**
 * A MemberConnection of its own to `namespace`, beside the hub's: its own request counts, a probe
 * every 4 s and no review but the first; `changes` counts its calls for a member reconcile.
 */
function ownConnection(name: string, namespace: string, kubeConfig: MemberConnectionOptions['kubeConfig']) {
  const { options, metrics, changes } = connectionOptions(name, namespace, kubeConfig);
  const connection = new MemberConnection(options);
  connection.start();
  return { connection, metrics, changes };
}

/** What `ownConnection` connects with. */
function connectionOptions(name: string, namespace: string, kubeConfig: MemberConnectionOptions['kubeConfig']) {
  const metrics = new KitMetrics();
  const changes: string[] = [];
  const options: MemberConnectionOptions = {
    name,
    namespace,
    kubeConfig,
    expiresAt: undefined,
    fingerprint: 'test',
    probeIntervalMs: 4_000,
    reviewIntervalMs: 3_600_000,
    offlineAfterMs: 30_000,
    requestTimeoutMs: 5_000,
    metrics,
    logger: silentLogger,
    writeGuard: () => true,
    onProbe: () => changes.push('changed'),
    onReplicaChange: () => undefined,
  };
  return { options, metrics, changes };
}

describe('member liveness', () => {
  it('probes every member once per interval at its census, whatever its watch delivers, and calls the reconciler only on a change', async () => {
    await hub.join('chatty', { platform: 'none' });
    const live = await hub.memberReady('chatty');
    const credential = loadCredential(live, hub.caches.secrets);
    if (!credential.ok) throw new Error(credential.message);
    // A connection of its own, with its own request counts: a probe every 4 s at its own phase, no review but the first.
    const phase = Math.floor(memberSpread('chatty-liveness') * 4_000);
    const censusesBetween = (from: number, to: number) => Math.floor((to - phase) / 4_000) - Math.floor((from - phase) / 4_000);
    const startedAt = Date.now();
    const { connection, metrics, changes } = ownConnection('chatty-liveness', 'chatty', credential.kubeConfig);
    try {
      await eventually('reviewed and watching', () => connection.health.review?.ok === true && connection.replicas.hasSynced);
      // The review's two access reviews, and a census's probe if one came around since (a slow machine).
      const reviewed = await requestsTo(metrics, 'chatty-liveness', 'selfsubjectaccessreviews');
      const censusesSinceStart = censusesBetween(startedAt, Date.now());
      expect(reviewed).toBeGreaterThanOrEqual(2);
      expect(reviewed).toBeLessThanOrEqual(2 + censusesSinceStart);
      // The member's replicas change every second for 12 s: its watch answers all along.
      const replicas = replicasOf(hub.admin);
      await replicas.create(desiredReplica(prometheusCluster('busy', { platform: 'none' }), live));
      const busyFrom = Date.now();
      for (let i = 0; i < 12; i++) {
        await replicas.patch('busy', 'chatty', { metadata: { annotations: { tick: String(i) } } }, { type: 'merge' });
        await sleep(1_000);
      }
      await eventually('every change seen', () => connection.replicas.get('chatty/busy')?.metadata.annotations?.tick === '11');
      // The census asks anyway: one probe per 4 s at the member's phase that passed.
      const censuses = censusesBetween(busyFrom, Date.now());
      const probed = (await requestsTo(metrics, 'chatty-liveness', 'selfsubjectaccessreviews')) - reviewed;
      expect(probed).toBeGreaterThanOrEqual(censuses - 1);
      expect(probed).toBeLessThanOrEqual(censuses + 1);
      expect(connection.health.last?.at.getTime() ?? 0).toSatisfy((at: number) => (((at - phase) % 4_000) + 4_000) % 4_000 < 2_000);
      // Twelve changes of a replica are not twelve member reconciles: one for the first review at most.
      expect(changes.length).toBeLessThanOrEqual(1);
      expect(connection.health.lastContact?.getTime()).toBeGreaterThan(Date.now() - 4_000);

      // Quiet now: one access review per 4 s, nothing else (the watch stays open, no review, no version).
      const quietFrom = {
        at: Date.now(),
        all: await requestsTo(metrics, 'chatty-liveness'),
        probes: await requestsTo(metrics, 'chatty-liveness', 'selfsubjectaccessreviews'),
      };
      await eventually(
        'three cheap probes',
        async () => (await requestsTo(metrics, 'chatty-liveness', 'selfsubjectaccessreviews')) >= quietFrom.probes + 3,
        30_000,
        100,
      );
      const all = (await requestsTo(metrics, 'chatty-liveness')) - quietFrom.all;
      const seconds = (Date.now() - quietFrom.at) / 1000;
      console.log(`quiet member: ${String(all)} requests in ${seconds.toFixed(1)} s at a 4 s probe interval (${((all / seconds) * 60).toFixed(1)}/min)`);
      expect(all).toBe(3);
      expect(await requestsTo(metrics, 'chatty-liveness', 'selfsubjectrulesreviews')).toBe(1);
      expect(connection.health.last).toMatchObject({ kind: 'probe', ok: true });
      expect(changes.length).toBeLessThanOrEqual(1);
    } finally {
      await connection.stop();
    }
  });

  it('takes one unanswered probe as no change, and two in a row as one, and the answer after them as another', async () => {
    const relay = new Relay(new URL(hub.fleet.cluster('hub').server));
    await relay.open();
    const name = 'lossy-liveness';
    try {
      await hub.join('lossy', { platform: 'none' }, relay.url);
      const credential = loadCredential(await hub.memberReady('lossy'), hub.caches.secrets);
      if (!credential.ok) throw new Error(credential.message);
      const { connection, metrics, changes } = ownConnection(name, 'lossy', credential.kubeConfig);
      try {
        await eventually('reviewed and watching', () => connection.health.review?.ok === true && connection.replicas.hasSynced);
        const reviewed = changes.length;
        const offset = Math.floor(memberSpread(name) * 4_000);
        /** The next census of the connection's 4 s interval at least `leadMs` from now. */
        const nextCensus = (leadMs: number) => Math.ceil((Date.now() + leadMs - offset) / 4_000) * 4_000 + offset;
        const failures = async () =>
          (await metrics.kubeRequests.get()).values
            .filter((v) => v.labels.cluster === name && v.labels.resource === 'selfsubjectaccessreviews' && v.labels.code === 'error')
            .reduce((sum, v) => sum + v.value, 0);

        // Down over one census only: its probe is refused, the retry 2 s later answers.
        const census = nextCensus(1_500);
        await sleep(census - 700 - Date.now());
        await relay.close();
        await sleep(census + 800 - Date.now());
        await relay.open();
        await eventually('the census probe refused', async () => (await failures()) >= 1);
        await eventually('the retry answered', () => connection.health.failedInARow === 0 && connection.health.last?.ok === true, 10_000, 50);
        expect(changes.length).toBe(reviewed);

        // Down over a census and its retry: shown once, and once more when it answers again.
        const second = nextCensus(1_500);
        await sleep(second - 700 - Date.now());
        await relay.close();
        await eventually('two unanswered in a row', () => connection.health.failedInARow >= 2, 10_000, 50);
        expect(changes.length).toBe(reviewed + 1);
        await relay.open();
        await eventually('answered again', () => connection.health.failedInARow === 0, 15_000, 50);
        expect(changes.length).toBe(reviewed + 2);
      } finally {
        await connection.stop();
      }
    } finally {
      await relay.close();
    }
  });

  it('has every member probed at once when one stops answering, and once only while it keeps failing (the roll call)', async () => {
    const relay = new Relay(new URL(hub.fleet.cluster('hub').server));
    await relay.open();
    const rollCalls: number[] = [];
    const registry = new MemberRegistry({ onRollCall: () => rollCalls.push(Date.now()) });
    try {
      await hub.join('rsteady', { platform: 'none' });
      await hub.join('rfalling', { platform: 'none' }, relay.url);
      const credentials = [
        loadCredential(await hub.memberReady('rsteady'), hub.caches.secrets),
        loadCredential(await hub.memberReady('rfalling'), hub.caches.secrets),
      ];
      const [steadyCredential, fallingCredential] = credentials;
      if (!steadyCredential?.ok || !fallingCredential?.ok) throw new Error('no credential');
      // Probes every 4 s at their own phases, which for these names are 1.8 s apart: a probe of
      // roll-steady within the roll call's half second after roll-falling's failure is the roll call's.
      const [steadyPhase, fallingPhase] = ['roll-steady', 'roll-falling'].map((name) => Math.floor(memberSpread(name) * 4_000));
      expect(Math.abs((steadyPhase ?? 0) - (fallingPhase ?? 0))).toBeGreaterThan(1_500);
      const steady = await registry.ensure(connectionOptions('roll-steady', 'rsteady', steadyCredential.kubeConfig).options);
      const falling = await registry.ensure(connectionOptions('roll-falling', 'rfalling', fallingCredential.kubeConfig).options);
      await eventually('both reviewed', () => steady.health.review?.ok === true && falling.health.review?.ok === true);
      expect(rollCalls).toEqual([]);

      await relay.close();
      const [calledAt] = await eventually('a roll call', () => (rollCalls.length > 0 ? rollCalls : undefined), 10_000, 20);
      expect(falling.health.last).toMatchObject({ ok: false, problem: { reason: 'Unreachable' } });
      const probedAt = await eventually(
        'roll-steady probed by the roll call',
        () => {
          const at = steady.health.last?.at.getTime() ?? 0;
          return at >= (calledAt ?? Infinity) ? at : undefined;
        },
        2_000,
        10,
      );
      expect(probedAt - (calledAt ?? 0)).toBeLessThan(ROLL_CALL_SPREAD_MS + 300);
      expect(steady.health.last).toMatchObject({ kind: 'probe', ok: true });

      // roll-falling keeps failing (its retries after 2 and 4 s, then its census): no other roll call.
      await sleep(7_000);
      expect(falling.health.failedInARow).toBeGreaterThanOrEqual(3);
      expect(rollCalls).toHaveLength(1);
    } finally {
      await registry.stopAll();
      await relay.close();
    }
  });

  it('calls for a member reconcile when its replicas report a new operator version, not when the last one goes', async () => {
    await hub.join('versioned', { platform: 'none' });
    const live = await hub.memberReady('versioned');
    const credential = loadCredential(live, hub.caches.secrets);
    if (!credential.ok) throw new Error(credential.message);
    const { connection, changes } = ownConnection('versioned-own', 'versioned', credential.kubeConfig);
    try {
      await eventually('reviewed and watching', () => connection.health.review?.ok === true && connection.replicas.hasSynced);
      const before = changes.length;
      const replicas = replicasOf(hub.admin);
      const report = async (name: string, operatorVersion: string): Promise<void> => {
        await replicas.create(desiredReplica(prometheusCluster(name, { platform: 'none' }), live));
        await replicas.patch(name, 'versioned', { status: { operatorVersion } }, { type: 'merge', subresource: 'status' });
        await eventually(`${name} reports ${operatorVersion}`, () => connection.operatorVersion === operatorVersion);
      };
      await report('first', '1.2.0');
      expect(changes.length).toBe(before + 1);
      // The last replica goes: none reports a version, and the MemberCluster keeps the last one known.
      await replicas.delete('first', 'versioned');
      await eventually('the replica gone', () => connection.replicas.list().length === 0);
      expect(connection.operatorVersion).toBeUndefined();
      await sleep(500);
      expect(changes.length).toBe(before + 1);
      // A version again (an operator upgraded meanwhile): the reconciler is called.
      await report('second', '1.3.0');
      expect(changes.length).toBe(before + 2);
    } finally {
      await connection.stop();
    }
  });

  it('detects a removed RoleBinding with the cheap probe: Unauthorized at once', async () => {
    await hub.join('revoked', { platform: 'none' });
    await hub.memberReady('revoked');
    await new ResourceClient(hub.admin, RoleBindings).delete(MEMBER_CREDENTIAL.roleBinding, 'revoked');
    const refused = await hub.memberReady('revoked', 'False');
    expect(condition(refused, 'Ready')).toMatchObject({
      reason: 'Unauthorized',
      message: 'the credential may not list prometheusreplicas in revoked (was its RoleBinding removed?)',
    });
    // Between two reviews (every 2 s here) the cheap probes (every 0.5 s) keep finding it.
    await eventually('a cheap probe refused', () => {
      const last = hub.registry.get('revoked')?.health.last;
      return last?.kind === 'probe' && last.problem?.reason === 'Unauthorized';
    });
  });

  it('reviews at the review interval, between cheap probes, and flags a widened credential OverPrivileged', async () => {
    await hub.join('widened', { platform: 'none' });
    await hub.memberReady('widened');
    const counts = async () => ({
      reviews: await requestsTo(hub.hubMetrics, 'widened', 'selfsubjectrulesreviews'),
      accessReviews: await requestsTo(hub.hubMetrics, 'widened', 'selfsubjectaccessreviews'),
    });
    const before = await counts();
    await eventually('two more reviews', async () => (await counts()).reviews >= before.reviews + 2, 30_000, 100);
    const after = await counts();
    // Each review asks two access reviews; the cheap probes between them one each.
    expect(after.accessReviews - before.accessReviews).toBeGreaterThan(2 * (after.reviews - before.reviews));

    await new ResourceClient(hub.admin, Roles).create({
      metadata: { name: 'reads-secrets', namespace: 'widened' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
    });
    await new ResourceClient(hub.admin, RoleBindings).create({
      metadata: { name: 'reads-secrets', namespace: 'widened' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reads-secrets' },
      subjects: [{ kind: 'ServiceAccount', name: MEMBER_CREDENTIAL.serviceAccount, namespace: 'widened' }],
    });
    const flagged = await eventually('CredentialScoped=False', async () => {
      await hub.reconcileMember('widened');
      const member = await membersOf(hub.admin).get('widened');
      return condition(member, 'CredentialScoped')?.status === 'False' ? member : undefined;
    });
    expect(condition(flagged, 'CredentialScoped')).toMatchObject({ reason: 'OverPrivileged', message: expect.stringContaining('get secrets') as unknown });
  });
});

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
      expect(condition(offline, 'Ready')).toMatchObject({ reason: 'Offline', message: expect.stringContaining('no sign of life since') as unknown });
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
