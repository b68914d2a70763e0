import { setTimeout as sleep } from 'node:timers/promises';

import {
  ANNOTATIONS,
  DEFAULT_ALLOWED_IMAGE_PREFIXES,
  FIELD_MANAGERS,
  FINALIZERS,
  LABELS,
  PrometheusClusters,
  PrometheusClusterShards,
  type PrometheusCluster,
} from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import { KubeClient, ResourceClient, type KubeRequest } from '@promfleet/kube/client';
import { requestCount, WRITE_VERBS } from '@promfleet/kube/testing';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { EventRecorder } from '@promfleet/kube/status';
import { Controller, ignoreStatusAndFinalizerAdded } from '@promfleet/kube/controller';
import { findCondition } from '@promfleet/kube/status';
import type { IControllerRevision } from 'kubernetes-models/apps/v1';
import { Relay } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  clustersOf,
  eventsAbout,
  eventually,
  membersOf,
  prometheusCluster,
  replicasOf,
  reportRunning,
  startHubHarness,
  TIMINGS,
  type HubHarness,
} from './reconcilers.ts';
import { routeReplicaChange } from '../src/fanout/replica-events.ts';
import { ShardWriter } from '../src/fanout/shard-writer.ts';
import { StatusWriter } from '../src/fanout/status-writer.ts';
import { ControllerRevisions } from '../src/rollout/revisions.ts';
import { hubMetrics } from '../src/hub-metrics.ts';
import { GatedClient } from './gated-client.ts';

// The PrometheusCluster reconciler in-process against one API server. Members are namespaces
// of it: eu and us (platform=cloud) directly, ap (platform=edge) through a relay that can fail.
const REPORT_WAIT_MS = 5_000;
let hub: HubHarness;
let relay: Relay;
let gated: GatedClient;

beforeAll(async () => {
  // A batch window wide enough for two operators' writes on a busy machine.
  hub = await startHubHarness({
    allowedImagePrefixes: DEFAULT_ALLOWED_IMAGE_PREFIXES,
    statusBatchWindowMs: 3_000,
    // Long enough for a test to report on a busy machine before a held status goes out without it.
    reportWaitMs: REPORT_WAIT_MS,
    client: (...args) => (gated = new GatedClient(...args)),
  });
  relay = new Relay(new URL(hub.fleet.cluster('hub').server));
  await relay.open();
  await hub.join('eu', { platform: 'cloud' });
  await hub.join('us', { platform: 'cloud' });
  await hub.join('ap', { platform: 'edge' }, relay.url);
  // Ready members, as the member reconciler leaves them: connections probed, lastProbeTime written.
  for (const name of ['eu', 'us', 'ap']) await hub.memberReady(name);
});

afterAll(async () => {
  await hub.stop();
  await relay.close();
});

const get = async (name: string) => clustersOf(hub.admin).get(name, 'default');
const replicaIn = (member: string, name: string) => replicasOf(hub.admin).get(name, member);

/** What the members' operators would write: each member's replica of `name` Running at its address. */
async function reportAllRunning(name: string, addresses: Readonly<Record<string, string>>): Promise<void> {
  for (const [member, address] of Object.entries(addresses)) {
    const replica = await replicaIn(member, name);
    if (!replica) throw new Error(`no replica of ${name} in ${member}`);
    await reportRunning(hub.admin, replica, address);
  }
}

/** Full passes until the cluster (as cached) passes `check`; the cache must see each write first. */
async function reconcileUntil(name: string, what: string, check: (cluster: PrometheusCluster) => boolean, timeoutMs = 30_000): Promise<PrometheusCluster> {
  return eventually(
    `${name}: ${what}`,
    async () => {
      await hub.passCluster(`default/${name}`);
      const cluster = await get(name);
      return cluster && check(cluster) ? cluster : undefined;
    },
    timeoutMs,
    200,
  );
}

const passes = async (pass: 'full' | 'members') =>
  (await hub.hubMetrics.registry.getSingleMetric('promfleet_cluster_passes_total')?.get())?.values.find((v) => v.labels.pass === pass)?.value ?? 0;
/** The reconciler's status applies: the harness patches replica status, and replicas live in the members' clusters. */
const statusWrites = () => requestCount(hub.hubMetrics, { cluster: 'hub', verb: 'apply' });

/** The hub's routing of eu's and us's replica changes to `name`'s reconciles, on a real work queue (started by the test). */
function routedController(name: string): Controller {
  const controller = new Controller({ name, reconcile: (context) => hub.clusters.reconcile(context) });
  const routing = { reconciler: hub.clusters, queue: controller, clustersOf: () => [`default/${name}`] };
  for (const member of ['eu', 'us']) {
    hub.registry.get(member)?.replicas.addHandler({
      onUpdate: (_previous, replica) => {
        if (replica.metadata.name === name) routeReplicaChange(routing, replica, member);
      },
    });
  }
  return controller;
}

const entry = (cluster: PrometheusCluster, member: string) => cluster.status?.clusters?.find((e) => e.name === member);
const condition = (cluster: PrometheusCluster, type: string) => findCondition(cluster.status?.conditions, type);

describe('ClusterReconciler', () => {
  it('fans out to the selected members only, then aggregates their replicas into status and DNS records; unchanged, it writes nothing', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('fleet', { platform: 'cloud' }, { baseDomain: 'fleet.example.com' }));
    const pending = await reconcileUntil(
      'fleet',
      'a Pending entry per cloud member',
      (c) => c.status?.clusters?.map((e) => `${e.name}:${e.phase}`).join() === 'eu:Pending,us:Pending',
    );
    expect(pending.metadata.finalizers).toContain('promfleet.io/member-replicas');
    expect(pending.status).toMatchObject({ phase: 'Propagating', selected: 2, ready: 0, endpoints: [] });
    expect(condition(pending, 'Ready')).toMatchObject({ status: 'False', reason: 'MembersNotReady', observedGeneration: 1 });
    for (const member of ['eu', 'us']) {
      const replica = await replicaIn(member, 'fleet');
      expect(replica?.metadata.labels).toMatchObject({
        [LABELS.managedBy]: 'promfleet-hub',
        [LABELS.hubNamespace]: 'default',
        [LABELS.hubName]: 'fleet',
        [LABELS.member]: member,
      });
      expect(replica?.metadata.annotations?.[ANNOTATIONS.sourceGeneration]).toBe('1');
      expect(replica?.spec).toMatchObject({ configMap: 'prometheus-config', bucketSecret: 's3-bucket', baseDomain: 'fleet.example.com', clusterName: member });
    }
    expect(await replicaIn('ap', 'fleet')).toBeUndefined();

    // The operators report their replicas running.
    await reportAllRunning('fleet', { eu: '192.0.2.10', us: '192.0.2.20' });
    const ready = await reconcileUntil('fleet', 'Ready', (c) => c.status?.phase === 'Ready');
    expect(ready.status).toMatchObject({ selected: 2, ready: 2 });
    expect(condition(ready, 'Propagated')).toMatchObject({ status: 'True', reason: 'AllMembersCurrent' });
    expect(condition(ready, 'DNSPublished')).toMatchObject({ status: 'True', reason: 'Published' });
    expect(ready.status?.endpoints).toEqual([{ dnsName: 'query.fleet.example.com', recordType: 'A', ttl: 30, targets: ['192.0.2.10', '192.0.2.20'] }]);
    expect((await eventsAbout(hub.admin, ready)).map((event) => `${event.type} ${event.reason}`)).toContain('Normal AllMembersReady');

    // Level-triggered: with nothing changed, a reconcile makes no request that writes.
    await eventually('the cache holds the Ready status', () => hub.caches.clusters.get('default/fleet')?.status?.phase === 'Ready');
    // The members' liveness probes (access reviews, created every probe interval meanwhile) change nothing stored.
    const stored = { verb: WRITE_VERBS, excludeResources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] };
    const writes = await requestCount(hub.hubMetrics, stored);
    await hub.passCluster('default/fleet');
    expect(await requestCount(hub.hubMetrics, stored)).toBe(writes);
  });

  it('removes its replica from a member that is no longer selected, with an Event, and keeps the others', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('moving', { platform: 'cloud' }));
    await reconcileUntil('moving', 'entries for eu and us', (c) => c.status?.clusters?.length === 2);
    await membersOf(hub.admin).patch('us', undefined, { metadata: { labels: { platform: 'retired' } } }, { type: 'merge' });
    await eventually('the cache sees us relabelled', () => hub.caches.members.get('us')?.metadata.labels?.platform === 'retired');
    const moved = await reconcileUntil('moving', 'us gone from the status', (c) => c.status?.clusters?.map((e) => e.name).join() === 'eu');
    await eventually('the replica deleted in us', async () => (await replicaIn('us', 'moving')) === undefined);
    expect(await replicaIn('eu', 'moving')).toBeDefined();
    expect(await eventsAbout(hub.admin, moved)).toContainEqual({
      type: 'Normal',
      reason: 'ReplicaRemoved',
      message: 'removed PrometheusReplica us/moving from us, which is no longer selected',
    });
    await membersOf(hub.admin).patch('us', undefined, { metadata: { labels: { platform: 'cloud' } } }, { type: 'merge' });
    await eventually('the cache sees us back', () => hub.caches.members.get('us')?.metadata.labels?.platform === 'cloud');
  });

  it('leaves a PrometheusReplica it does not manage alone, and reports the conflict', async () => {
    const theirs = await replicasOf(hub.admin).create({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusReplica',
      metadata: { name: 'taken', namespace: 'us', labels: { team: 'someone-else' } },
      spec: { configMap: 'theirs', bucketSecret: 'theirs' },
    } as never);
    await clustersOf(hub.admin).create(prometheusCluster('taken', { platform: 'cloud' }));
    const conflicted = await reconcileUntil('taken', 'a Conflict entry for us', (c) => entry(c, 'us')?.phase === 'Conflict');
    expect(entry(conflicted, 'us')).toMatchObject({
      ready: false,
      stale: false,
      message: 'a PrometheusReplica of this name exists in the member and is not managed by this PrometheusCluster; it is left alone',
    });
    expect(condition(conflicted, 'Ready')).toMatchObject({ status: 'False', reason: 'MembersDegraded' });
    expect(conflicted.status?.phase).toBe('Degraded');
    const after = await replicaIn('us', 'taken');
    expect(after?.metadata.resourceVersion).toBe(theirs.metadata.resourceVersion);
    expect(await replicaIn('eu', 'taken')).toBeDefined();
  });

  it('changes nothing in the members for invalid input: a spec the schemas refuse, or an image outside the allow-list', async () => {
    // retention below three blocks: the CRD accepts it, the schema's rule does not.
    await clustersOf(hub.admin).create(prometheusCluster('invalid', { platform: 'cloud' }, { metrics: { retention: '2h', blockDuration: '2h' } }));
    const invalid = await reconcileUntil('invalid', 'Ready=False SpecInvalid', (c) => condition(c, 'Ready')?.reason === 'SpecInvalid');
    expect(invalid.status?.phase).toBe('Degraded');
    expect(condition(invalid, 'Ready')?.message).toContain('spec.metrics.retention');
    expect(await eventsAbout(hub.admin, invalid)).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'SpecInvalid' }));

    await clustersOf(hub.admin).create(prometheusCluster('foreign', { platform: 'cloud' }, { images: { prometheus: 'evil.example.com/prometheus:v2' } }));
    const refused = await reconcileUntil('foreign', 'Ready=False ImageNotAllowed', (c) => condition(c, 'Ready')?.reason === 'ImageNotAllowed');
    expect(condition(refused, 'Ready')?.message).toContain('evil.example.com/prometheus:v2');
    expect(entry(refused, 'eu')).toMatchObject({ phase: 'Pending', message: expect.stringContaining('not created') as unknown });
    for (const member of ['eu', 'us']) {
      expect(await replicaIn(member, 'invalid')).toBeUndefined();
      expect(await replicaIn(member, 'foreign')).toBeUndefined();
    }
  });

  it('marks a member it cannot reach Offline and stale, out of the DNS records (failing static off), and takes it back when it answers again', async () => {
    // Its only member unreachable would make the hub fail static (keep its records) at the default
    // minHealthyPercent; e2e/dns.e2e.test.ts covers that. Here: the member's own way out of DNS.
    await clustersOf(hub.admin).create(prometheusCluster('edge', { platform: 'edge' }, { baseDomain: 'edge.example.com', dns: { minHealthyPercent: 0 } }));
    await reconcileUntil('edge', 'a Pending entry for ap', (c) => entry(c, 'ap')?.phase === 'Pending');
    const replica = await replicaIn('ap', 'edge');
    if (!replica) throw new Error('no replica in ap');
    await reportRunning(hub.admin, replica, '192.0.2.30');
    await reconcileUntil('edge', 'ap published', (c) => c.status?.endpoints?.[0]?.targets.join() === '192.0.2.30');

    await relay.close();
    try {
      const offline = await reconcileUntil('edge', 'ap Offline', (c) => entry(c, 'ap')?.phase === 'Offline', TIMINGS.offlineAfterMs + 30_000);
      expect(entry(offline, 'ap')).toMatchObject({
        ready: false,
        stale: true,
        addresses: ['192.0.2.30'],
        message: expect.stringContaining('no sign of life since') as unknown,
      });
      expect(offline.status?.endpoints).toEqual([]);
      expect(condition(offline, 'DNSPublished')).toMatchObject({ status: 'False', reason: 'NoReadyMembers' });
    } finally {
      await relay.open();
    }
    await reconcileUntil('edge', 'ap published again', (c) => entry(c, 'ap')?.phase === 'Running' && c.status?.endpoints?.[0]?.targets.join() === '192.0.2.30');
  });

  it('takes a wake-up for reports an earlier reconcile took in as no work, not a full pass over every member', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('late', { platform: 'cloud' }, { baseDomain: 'late.example.com' }));
    await reconcileUntil('late', 'entries for eu and us', (c) => c.status?.clusters?.length === 2);
    await reportAllRunning('late', { eu: '192.0.2.120', us: '192.0.2.130' });
    await reconcileUntil('late', 'Ready', (c) => c.status?.phase === 'Ready');
    const before = { full: await passes('full'), members: await passes('members') };
    await reportAllRunning('late', { eu: '192.0.2.121' });
    await eventually("eu's report cached", () => hub.registry.get('eu')?.replicas.get('eu/late')?.status?.output?.addresses?.includes('192.0.2.121'));
    // The report asks for a reconcile at its batch window's end; the next report's reconcile, started
    // before that timer fired (an event loop busy with a fleet fires timers late), takes it in first.
    hub.clusters.replicaChanged('default/late', 'eu');
    expect(await hub.reconcileCluster('default/late')).toBeUndefined();
    expect(await passes('members')).toBe(before.members + 1);
    await eventually('eu published at its new address', async () => (await get('late'))?.status?.endpoints?.[0]?.targets.includes('192.0.2.121'));
    // Then the timer fires: nothing is pending, and nothing is looked at.
    expect(await hub.reconcileCluster('default/late')).toBeUndefined();
    expect({ full: await passes('full'), members: await passes('members') }).toEqual({ full: before.full, members: before.members + 1 });
  });

  it('takes in replica status changes without a full pass, writing those that arrive together as one status, and repairs drift with a full pass', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('churn', { platform: 'cloud' }, { baseDomain: 'churn.example.com' }));
    await reconcileUntil('churn', 'entries for eu and us', (c) => c.status?.clusters?.length === 2);
    await reportAllRunning('churn', { eu: '192.0.2.40', us: '192.0.2.50' });
    await reconcileUntil('churn', 'Ready', (c) => c.status?.phase === 'Ready');
    await eventually('the cache holds the Ready status', () => hub.caches.clusters.get('default/churn')?.status?.phase === 'Ready');
    // Settled: nothing to look at again, so a member's status change may be taken in alone.
    expect(await hub.reconcileCluster('default/churn')).toBeUndefined();

    const controller = routedController('churn');
    const report = (member: string, address: string) => reportAllRunning('churn', { [member]: address });
    const published = (targets: string) =>
      eventually(`${targets} published`, async () => (await get('churn'))?.status?.endpoints?.[0]?.targets.join() === targets);
    await controller.start();
    try {
      const before = { full: await passes('full'), members: await passes('members'), writes: await statusWrites() };
      await report('eu', '192.0.2.41');
      await published('192.0.2.41,192.0.2.50');
      // Within the window after that write: both wait for its end and go out as one status.
      await report('eu', '192.0.2.42');
      await report('us', '192.0.2.52');
      await published('192.0.2.42,192.0.2.52');
      expect(await passes('full')).toBe(before.full);
      expect(await passes('members')).toBe(before.members + 2);
      expect(await statusWrites()).toBe(before.writes + 2);

      // A replica's spec changed in the member is drift, not status: a full pass puts it back.
      const drifted = await replicaIn('eu', 'churn');
      if (!drifted) throw new Error('no replica in eu');
      await replicasOf(hub.admin).patch('churn', 'eu', { spec: { metrics: { retention: '7d' } } }, { type: 'merge' });
      await eventually('the hub re-applied the replica', async () => {
        const replica = await replicaIn('eu', 'churn');
        return replica && replica.metadata.generation !== drifted.metadata.generation && replica.spec.metrics.retention === drifted.spec.metrics.retention;
      });
      expect(await passes('full')).toBeGreaterThan(before.full);
    } finally {
      await controller.stop();
    }
  });

  it('starts the batch window with the status write, so a slow write is not added to it, and paces a write slower than the window', async () => {
    const key = 'default/window';
    await clustersOf(hub.admin).create(prometheusCluster('window', { platform: 'cloud' }, { baseDomain: 'window.example.com' }));
    await reconcileUntil('window', 'entries for eu and us', (c) => c.status?.clusters?.length === 2);
    await reportAllRunning('window', { eu: '192.0.2.80', us: '192.0.2.90' });
    await reconcileUntil('window', 'Ready', (c) => c.status?.phase === 'Ready');
    /** eu reports `address`; the reconcile that takes it in writes the status through a write held for `holdMs`. Returns the wait replicaChanged asks for next. */
    const slowWrite = async (address: string, holdMs: number) => {
      await reportAllRunning('window', { eu: address });
      await eventually('the hub sees eu move', () => hub.registry.get('eu')?.replicas.get('eu/window')?.status?.output?.addresses?.includes(address));
      hub.clusters.replicaChanged(key, 'eu');
      const gate = gated.hold('prometheusclusters', 'window');
      const reconciling = hub.reconcileCluster(key);
      await sleep(holdMs);
      gate.resolve(undefined);
      await reconciling;
      expect((await get('window'))?.status?.endpoints?.[0]?.targets).toContain(address);
      return hub.clusters.replicaChanged(key, 'us');
    };
    // Held 1 s of a 3 s window: 2 s of it are left, not 3 s after the write ended.
    const afterShort = await slowWrite('192.0.2.81', 1_000);
    expect(afterShort).toBeGreaterThan(0);
    expect(afterShort).toBeLessThanOrEqual(2_000);
    // Held 4 s, longer than the window: the next write waits as long again, so at most half of the time goes to writing.
    const afterLong = await slowWrite('192.0.2.82', 4_000);
    expect(afterLong).toBeGreaterThan(3_000);
  });

  it("finishes a rollout with nobody left to move from the members' reports alone, without a full pass", async () => {
    await clustersOf(hub.admin).create(prometheusCluster('tail', { platform: 'cloud' }, { baseDomain: 'tail.example.com' }));
    await reconcileUntil(
      'tail',
      'both replicas created, the rollout in progress',
      (c) => c.status?.clusters?.length === 2 && c.status.rollout?.state === 'Progressing',
    );
    // A pass that sees both replicas in the caches: every member runs the target, the rest is their reports.
    await eventually('both replicas cached', () => ['eu', 'us'].every((member) => hub.registry.get(member)?.replicas.get(`${member}/tail`)));
    await hub.passCluster('default/tail');
    const controller = routedController('tail');
    await controller.start();
    try {
      const before = { full: await passes('full'), members: await passes('members') };
      await reportAllRunning('tail', { eu: '192.0.2.60', us: '192.0.2.70' });
      const done = await eventually('the rollout complete', async () => {
        const cluster = await get('tail');
        return cluster?.status?.rollout?.state === 'Complete' && cluster.status.phase === 'Ready' ? cluster : undefined;
      });
      expect(done.status?.rollout).toMatchObject({ updated: 2, pending: 0 });
      expect(condition(done, 'RolloutProgressing')).toMatchObject({ status: 'True', reason: 'RolloutComplete' });
      expect(done.status?.endpoints?.[0]?.targets).toEqual(['192.0.2.60', '192.0.2.70']);
      expect(await passes('full')).toBe(before.full);
      expect(await passes('members')).toBeGreaterThan(before.members);
    } finally {
      await controller.stop();
    }
  });

  it('takes the watch echoing its own applies as no news, and a replica changed or deleted by another hand as a full pass', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('echo', { platform: 'cloud' }, { baseDomain: 'echo.example.com' }));
    await reconcileUntil('echo', 'both replicas created', (c) => c.status?.clusters?.length === 2);
    const cached = (member: string) => hub.registry.get(member)?.replicas.get(`${member}/echo`);
    await eventually('both replicas cached', () => cached('eu') && cached('us'));
    // Every event of a replica the hub manages is its member's news, looked at against what the last pass applied or read.
    const routed: string[] = [];
    const routing = {
      reconciler: hub.clusters,
      queue: { enqueue: () => routed.push('full pass'), enqueueAfter: () => routed.push('member news') },
      clustersOf: () => ['default/echo'],
    };
    const created = cached('eu');
    if (!created) throw new Error('no replica cached in eu');
    routeReplicaChange(routing, created, 'eu');
    expect(routed).toEqual(['member news']);
    // The ADDED event of the replica the hub created is the object the pass's outcome was made from: nothing to compute, nothing to write.
    const counts = async () => ({ full: await passes('full'), members: await passes('members'), writes: await statusWrites() });
    const before = await counts();
    hub.clusters.replicaChanged('default/echo', 'eu');
    // Nothing due but the full pass at the NoOperator deadline of us, whose replica has no status yet.
    expect((await hub.reconcileCluster('default/echo'))?.requeueAfterMs).toBeGreaterThan(TIMINGS.noOperatorAfterMs / 2);
    expect(await counts()).toEqual(before);

    // Another hand edits its spec: drift, which the member's reconcile turns into a full pass that puts it back.
    await replicasOf(hub.admin).patch('echo', 'eu', { spec: { metrics: { retention: '7d' } } }, { type: 'merge' });
    await eventually('the edit cached', () => cached('eu')?.spec.metrics.retention === '7d');
    hub.clusters.replicaChanged('default/echo', 'eu');
    await hub.reconcileCluster('default/echo');
    expect(await passes('full')).toBe(before.full + 1);
    expect((await replicaIn('eu', 'echo'))?.spec.metrics.retention).toBe(created.spec.metrics.retention);
    const restored = await eventually('the spec put back in the cache', () =>
      cached('eu')?.spec.metrics.retention === created.spec.metrics.retention ? cached('eu') : undefined,
    );
    // The echo of that apply is no news again.
    hub.clusters.replicaChanged('default/echo', 'eu');
    await hub.reconcileCluster('default/echo');
    expect(await passes('full')).toBe(before.full + 1);

    // Deleted by hand: a full pass creates it again.
    await replicasOf(hub.admin).delete('echo', 'eu');
    await eventually('the deletion cached', () => cached('eu') === undefined);
    hub.clusters.replicaChanged('default/echo', 'eu');
    await hub.reconcileCluster('default/echo');
    expect(await passes('full')).toBe(before.full + 2);
    const recreated = await replicaIn('eu', 'echo');
    expect(recreated).toBeDefined();
    expect(recreated?.metadata.uid).not.toBe(restored.metadata.uid);
  });

  it('writes the reports that arrive during its fan-out with the pass, holding that one write for a member that never reports only until the report wait ends', async () => {
    const key = 'default/in-pass';
    const cached = (member: string) => hub.registry.get(member)?.replicas.get(`${member}/in-pass`);
    // ap answers late (its apply among them), so the pass is still fanning out when eu and us report.
    relay.answerDelayMs = 1_500;
    let finished = false;
    const passing = (async () => {
      await clustersOf(hub.admin).create(
        prometheusCluster(
          'in-pass',
          {},
          { baseDomain: 'in-pass.example.com', clusterSelector: { matchExpressions: [{ key: 'platform', operator: 'Exists' }] } },
        ),
      );
      await eventually('the PrometheusCluster cached', () => hub.caches.clusters.get(key));
      return hub.passCluster(key);
    })().finally(() => {
      finished = true;
    });
    try {
      await eventually('replicas in eu and us', () => cached('eu') && cached('us'));
      await reportAllRunning('in-pass', { eu: '192.0.2.100', us: '192.0.2.110' });
      await eventually('the hub sees eu and us Running', () => ['eu', 'us'].every((member) => cached(member)?.status?.phase === 'Running'));
      expect(finished).toBe(false);
    } finally {
      relay.answerDelayMs = 0;
    }
    // ap has no operator: the pass's status waits for its report, and then goes out without it.
    const passed = await passing;
    const waitEnded = Date.now() + (passed?.requeueAfterMs ?? 0);
    expect(passed?.requeueAfterMs).toBeGreaterThan(0);
    expect(passed?.requeueAfterMs).toBeLessThanOrEqual(REPORT_WAIT_MS);
    expect(gated.statusWrites('prometheusclusters', 'in-pass')).toBe(0);
    const full = await passes('full');
    await sleep(Math.max(0, waitEnded - Date.now()));
    await hub.reconcileCluster(key);
    expect(await passes('full')).toBe(full);
    const written = await get('in-pass');
    if (!written) throw new Error('in-pass is gone');
    expect(gated.statusWrites('prometheusclusters', 'in-pass')).toBe(1);
    expect(entry(written, 'eu')).toMatchObject({ ready: true, addresses: ['192.0.2.100'] });
    expect(entry(written, 'us')).toMatchObject({ ready: true, addresses: ['192.0.2.110'] });
    expect(entry(written, 'ap')).toMatchObject({ phase: 'Pending', ready: false });
    // The rollout is planned again from the replicas after the applies, the reports among them: two of three members at the target.
    expect(written.status?.rollout).toMatchObject({ state: 'Progressing', updated: 2, pending: 1 });
    // Their watch events, routed after the pass, are news it has already written.
    const members = await passes('members');
    for (const member of ['eu', 'us']) hub.clusters.replicaChanged(key, member);
    // Nothing due but the full pass at the NoOperator deadline of ap, whose replica has no status yet.
    expect((await hub.reconcileCluster(key))?.requeueAfterMs).toBeGreaterThan(TIMINGS.noOperatorAfterMs / 2);
    expect(gated.statusWrites('prometheusclusters', 'in-pass')).toBe(1);
    expect(await passes('members')).toBe(members);
  });

  /** A new PrometheusCluster over the cloud members and its first pass, which holds its status for their reports: when that wait ends (epoch ms). */
  async function firstPassWaiting(name: string): Promise<number> {
    await clustersOf(hub.admin).create(prometheusCluster(name, { platform: 'cloud' }, { baseDomain: `${name}.example.com` }));
    await eventually('the PrometheusCluster cached', () => hub.caches.clusters.get(`default/${name}`));
    const passed = await hub.passCluster(`default/${name}`);
    expect(gated.statusWrites('prometheusclusters', name)).toBe(0);
    return Date.now() + (passed?.requeueAfterMs ?? 0);
  }

  it("writes a fan-out's status once the members have reported on what it changed, not before", async () => {
    const waitEnds = await firstPassWaiting('reports');
    await eventually('both replicas cached', () => ['eu', 'us'].every((member) => hub.registry.get(member)?.replicas.get(`${member}/reports`)));
    const controller = routedController('reports');
    await controller.start();
    try {
      const members = await passes('members');
      await reportAllRunning('reports', { eu: '192.0.2.140' });
      await eventually("eu's report taken in", async () => (await passes('members')) > members);
      expect(gated.statusWrites('prometheusclusters', 'reports')).toBe(0);
      await reportAllRunning('reports', { us: '192.0.2.150' });
      const written = await eventually('the status written', async () => {
        const cluster = await get('reports');
        return cluster?.status?.phase === 'Ready' ? cluster : undefined;
      });
      // By the last report, not by the end of the wait.
      expect(Date.now()).toBeLessThan(waitEnds);
      expect(gated.statusWrites('prometheusclusters', 'reports')).toBe(1);
      expect(written.status?.endpoints?.[0]?.targets).toEqual(['192.0.2.140', '192.0.2.150']);
    } finally {
      await controller.stop();
    }
  });

  it('holds the status of passes in a row, each changing replicas, no longer than one report wait', async () => {
    const key = 'default/in-a-row';
    const waitEnds = await firstPassWaiting('in-a-row');
    // Deleted by hand while the status waits: the next pass creates it again, a change of its own to wait for.
    await sleep(500);
    await replicasOf(hub.admin).delete('in-a-row', 'eu');
    await eventually('the deletion cached', () => hub.registry.get('eu')?.replicas.get('eu/in-a-row') === undefined);
    const second = await hub.passCluster(key);
    expect(await replicaIn('eu', 'in-a-row')).toBeDefined();
    expect(second?.requeueAfterMs).toBeGreaterThan(0);
    // A wait of its own would end 500 ms or more after the first's; half of that allows for a busy event loop.
    expect(Date.now() + (second?.requeueAfterMs ?? 0)).toBeLessThanOrEqual(waitEnds + 250);
    expect(gated.statusWrites('prometheusclusters', 'in-a-row')).toBe(0);
    // The wait's end writes the status, without a pass over the members.
    const full = await passes('full');
    await sleep(Math.max(0, waitEnds - Date.now()));
    await hub.reconcileCluster(key);
    expect(gated.statusWrites('prometheusclusters', 'in-a-row')).toBe(1);
    expect(await passes('full')).toBe(full);
    expect((await get('in-a-row'))?.status?.clusters?.map((e) => `${e.name}:${e.phase}`).join()).toBe('eu:Pending,us:Pending');
  });

  it("tells the echoes of its own finalizer and revision writes, which ask for no pass, from anyone else's changes, which do", async () => {
    const name = 'own-writes';
    // What the hub's wiring makes of each event: a full pass ("act"), or nothing ("pass").
    const heard: string[] = [];
    const clusterUpdates = ignoreStatusAndFinalizerAdded(FINALIZERS.memberReplicas);
    hub.caches.clusters.addHandler({
      onUpdate: (previous, cluster) => {
        if (cluster.metadata.name === name) heard.push(`cluster ${clusterUpdates(previous, cluster) ? 'act' : 'pass'}`);
      },
    });
    const revisionEvent = (event: string) => (revision: IControllerRevision) => {
      if (revision.metadata?.labels?.[LABELS.hubName] === name)
        heard.push(`${event} ${revision.metadata.name ?? ''} ${hub.revisions.isOwnChange(revision) ? 'pass' : 'act'}`);
    };
    hub.revisionCache.addHandler({
      onAdd: revisionEvent('add'),
      onUpdate: (_previous, revision) => {
        revisionEvent('update')(revision);
      },
      onDelete: revisionEvent('delete'),
    });
    const revisionsOf = () => hub.revisionCache.list().filter((revision) => revision.metadata?.labels?.[LABELS.hubName] === name);
    // Events of different objects arrive in no set order, and a loaded machine may hear one of
    // the hub's own writes twice (a status retried): all that is expected, and no other news.
    const heardUntil = async (what: string, expected: string[]) => {
      const missing = () => {
        const left = [...heard];
        return expected.filter((event) => {
          const at = left.indexOf(event);
          if (at >= 0) left.splice(at, 1);
          return at < 0;
        });
      };
      await eventually(what, () => (missing().length === 0 ? true : undefined));
      const news = (events: string[]) => events.filter((event) => event.endsWith(' act')).sort();
      expect(news(heard), what).toEqual(news(expected));
    };

    // A new cluster (selecting nobody): the finalizer, the revision and the status the pass writes are all its own.
    await clustersOf(hub.admin).create(prometheusCluster(name, { platform: 'nowhere' }));
    // A reconcile reads the cache: before the watch delivers the new cluster, it has nothing to do.
    await eventually('the cluster cached', () => hub.caches.clusters.get(`default/${name}`));
    await hub.passCluster(`default/${name}`);
    // The pass used the revision before the cache may have it.
    const first = await eventually('the first revision cached', () => revisionsOf()[0]?.metadata?.name);
    const firstPass = ['cluster pass', 'cluster pass', `add ${first} pass`];
    await heardUntil('the echoes of the first pass', firstPass);

    // A spec change is news; the pass it calls for creates the new revision and prunes the old: its own again.
    await clustersOf(hub.admin).patch(name, 'default', { spec: { metrics: { retention: '7d' } } }, { type: 'merge' });
    await eventually('the spec change cached', () => hub.caches.clusters.get(`default/${name}`)?.metadata.generation === 2);
    await hub.passCluster(`default/${name}`);
    await eventually('the revision replaced', () => (revisionsOf().length === 1 && revisionsOf()[0]?.metadata?.name !== first ? true : undefined));
    const second = revisionsOf()[0]?.metadata?.name ?? '';
    await heardUntil('the echoes of the second pass', [...firstPass, 'cluster act', 'cluster pass', `add ${second} pass`, `delete ${first} pass`]);

    // Anyone else's writes: a revision created, edited and deleted by hand, a label, the finalizer taken off.
    heard.length = 0;
    const byHand = `${name}-by-hand`;
    const revisionClient = new ResourceClient(hub.admin, ControllerRevisions);
    await revisionClient.create({ metadata: { name: byHand, namespace: 'default', labels: { [LABELS.hubName]: name } }, data: {}, revision: 9 });
    await heardUntil('a revision created by hand', [`add ${byHand} act`]);
    await revisionClient.patch(byHand, 'default', { metadata: { annotations: { edited: 'yes' } } }, { type: 'merge' });
    await heardUntil('a revision edited by hand', [`add ${byHand} act`, `update ${byHand} act`]);
    await revisionClient.delete(byHand, 'default');
    await heardUntil('a revision deleted by hand', [`add ${byHand} act`, `update ${byHand} act`, `delete ${byHand} act`]);
    heard.length = 0;
    await clustersOf(hub.admin).patch(name, 'default', { metadata: { labels: { team: 'a' } } }, { type: 'merge' });
    await heardUntil('a label', ['cluster act']);
    await clustersOf(hub.admin).patch(name, 'default', { metadata: { finalizers: [] } }, { type: 'merge' });
    await heardUntil('the finalizer removed by hand', ['cluster act', 'cluster act']);
    await clustersOf(hub.admin).delete(name, 'default');
  });

  it('deletes its replicas before the PrometheusCluster goes, and gives up on an unreachable member after the deletion timeout, with a Warning', async () => {
    await clustersOf(hub.admin).create(prometheusCluster('leaving', { platform: 'cloud' }));
    await reconcileUntil('leaving', 'replicas in eu and us', (c) => c.status?.clusters?.length === 2);
    await eventually('both replicas exist', async () => (await replicaIn('eu', 'leaving')) !== undefined && (await replicaIn('us', 'leaving')) !== undefined);
    await clustersOf(hub.admin).delete('leaving', 'default');
    await eventually('the cache sees leaving deleted', () => hub.caches.clusters.get('default/leaving')?.metadata.deletionTimestamp);
    expect(await hub.reconcileCluster('default/leaving')).toBeUndefined();
    expect(await replicaIn('eu', 'leaving')).toBeUndefined();
    expect(await replicaIn('us', 'leaving')).toBeUndefined();
    await eventually('leaving gone', async () => (await get('leaving')) === undefined);

    await clustersOf(hub.admin).create(prometheusCluster('stranded', { platform: 'edge' }));
    await reconcileUntil('stranded', 'a replica in ap', (c) => entry(c, 'ap')?.phase === 'Pending');
    await eventually("the replica in the hub's cache of ap", () => hub.registry.get('ap')?.replicas.get('ap/stranded'));
    await relay.close();
    try {
      await eventually('ap unreachable', () => hub.registry.get('ap')?.health.last?.ok === false);
      await clustersOf(hub.admin).delete('stranded', 'default');
      const deleting = await eventually('the cache sees stranded deleted', () => {
        const cached = hub.caches.clusters.get('default/stranded');
        return cached?.metadata.deletionTimestamp ? cached : undefined;
      });
      // Inside the deletion timeout: retried, the finalizer kept.
      expect(await hub.reconcileCluster('default/stranded')).toEqual({ requeueAfterMs: 5_000 });
      expect((await get('stranded'))?.metadata.finalizers).toContain('promfleet.io/member-replicas');
      await eventually(
        'stranded let go after the deletion timeout',
        async () => {
          await hub.reconcileCluster('default/stranded');
          return (await get('stranded')) === undefined;
        },
        TIMINGS.deletionTimeoutMs + 30_000,
        500,
      );
      const warning = (await eventsAbout(hub.admin, deleting)).find((event) => event.reason === 'DeletionTimedOut');
      expect(warning).toMatchObject({ type: 'Warning', message: expect.stringMatching(/^gave up after \d+s; replicas may be left in: ap: /) as unknown });
    } finally {
      await relay.open();
    }
  });
});

/** The hub's client to its API server, counting the status writes it has in flight. */
class CountingClient extends KubeClient {
  inFlight = 0;
  mostInFlight = 0;

  override async request<T>(req: KubeRequest): Promise<T> {
    const status = req.path.endsWith('/status') && req.method !== 'GET';
    if (status) this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      return await super.request<T>(req);
    } finally {
      if (status) this.inFlight--;
    }
  }
}

describe('StatusWriter', () => {
  it('has at most two status writes in flight across PrometheusClusters, and writes every one', async () => {
    const client = new CountingClient(hub.fleet.cluster('hub').kubeConfig, { cluster: 'hub' });
    try {
      const resources = new ResourceClient(client, PrometheusClusters);
      const writer = new StatusWriter({
        applier: new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash }),
        resources,
        clusters: hub.caches.clusters,
        events: new EventRecorder(client, { component: 'promfleet-hub', logger: silentLogger }),
        hubMetrics: hubMetrics(new KitMetrics()),
        shards: new ShardWriter({
          applier: new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash }),
          resources: new ResourceClient(client, PrometheusClusterShards),
          shards: hub.caches.shards,
        }),
        sharding: { unshardedMembers: 100, membersPerShard: 100 },
        onWriteFailed: (key, error) => {
          throw new Error(`${key}: a write no caller waits for (none in one layout of one object): ${String(error)}`);
        },
      });
      const names = Array.from({ length: 6 }, (_, i) => `bounded-${String(i)}`);
      const created = await Promise.all(names.map((name) => clustersOf(hub.admin).create(prometheusCluster(name, { platform: 'none' }))));
      await Promise.all(created.map((cluster) => writer.write(cluster, { phase: 'Pending', selected: 0, ready: 0 })));
      expect(client.mostInFlight).toBe(2);
      for (const name of names) expect((await get(name))?.status).toMatchObject({ phase: 'Pending', selected: 0, ready: 0 });
      await Promise.all(names.map((name) => clustersOf(hub.admin).delete(name, 'default')));
    } finally {
      await client.close();
    }
  });
});
