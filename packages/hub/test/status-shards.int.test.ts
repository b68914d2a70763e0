import {
  mergeShards,
  PrometheusClusterShards,
  shardOf,
  shardSelector,
  type DNSRecord,
  type PrometheusCluster,
  type PrometheusClusterShard,
} from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { EXTERNAL_DNS_CRD_DIR, installCRDs } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DNSEndpoints, DNSEndpointWriter } from '../src/endpoints/dnsendpoint-writer.ts';
import { MemoryEndpointStore } from '../src/endpoints/memory-store.ts';
import { EndpointPublisher } from '../src/endpoints/publisher.ts';
import { ShardedClusters } from '../src/endpoints/sharded-clusters.ts';
import { GatedClient } from './gated-client.ts';
import { clustersOf, eventually, prometheusCluster, replicasOf, reportRunning, startHubHarness, type HubHarness } from './reconcilers.ts';

// A PrometheusCluster past --unsharded-members (2 here, with --members-per-shard 2: five members make four shards) on a
// real API server: where its entries and records go, what each reader makes of them, and how a
// member's change, a shard deleted by hand and a smaller selection move them.
const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4'];
const ADDRESS = (member: string) => `192.0.2.${String(10 + MEMBERS.indexOf(member))}`;
const NAME = 'sharded';
const KEY = `default/${NAME}`;

let hub: HubHarness;
let gated: GatedClient;
let dns: DNSEndpointWriter;
let store: MemoryEndpointStore;
let publisher: EndpointPublisher;

beforeAll(async () => {
  hub = await startHubHarness({ sharding: { unshardedMembers: 2, membersPerShard: 2 }, client: (...args) => (gated = new GatedClient(...args)) });
  await installCRDs(hub.fleet.cluster('hub'), { dir: EXTERNAL_DNS_CRD_DIR });
  for (const member of MEMBERS) await hub.join(member, { tier: 'sharded', ...(member === 'm0' ? { first: 'yes' } : {}) });
  for (const member of MEMBERS) await hub.memberReady(member);
  dns = new DNSEndpointWriter(hub.admin, hub.caches.clusters, hub.caches.shards, { logger: silentLogger, metrics: new KitMetrics() });
  dns.crds.start();
  await eventually('DNSEndpoints enabled', () => dns.enabled);
  store = new MemoryEndpointStore();
  await store.start();
  publisher = new EndpointPublisher(new ShardedClusters(hub.caches.clusters, hub.caches.shards), store, silentLogger);
  await publisher.start();
}, 180_000);

afterAll(async () => {
  publisher.stop();
  await dns.stop();
  await dns.crds.stop();
  await hub.stop();
});

const shardsApi = () => new ResourceClient(hub.admin, PrometheusClusterShards);
const rawCluster = async () => clustersOf(hub.admin).get(NAME, 'default');
const shards = async () => (await shardsApi().list({ namespace: 'default', labelSelector: shardSelector(NAME) })).items;
const setIds = (records: readonly DNSRecord[] | undefined) => [...new Set((records ?? []).map((record) => record.setIdentifier))].sort();

/** Full passes until the PrometheusCluster, as the hub reads it (shards merged in), passes `check`. */
async function reconcileUntil(what: string, check: (cluster: PrometheusCluster) => boolean): Promise<PrometheusCluster> {
  return eventually(
    what,
    async () => {
      await hub.passCluster(KEY);
      const cached = hub.caches.clusters.get(KEY);
      const cluster = cached && mergeShards(cached, hub.caches.shards.byIndex('cluster', KEY));
      return cluster && check(cluster) ? cluster : undefined;
    },
    60_000,
    200,
  );
}

/** Mirrors every shard (and the cluster) into DNSEndpoints, as the hub's controllers would on their events. */
async function mirrorDNS(): Promise<void> {
  await dns.reconcile({ key: KEY, reconcileID: 'test', logger: silentLogger });
  const names = new Set([...hub.caches.shards.list().map((shard) => shard.metadata.name), 'sharded.0', 'sharded.1', 'sharded.2', 'sharded.3']);
  for (const name of names) await dns.reconcileShard({ key: `default/${name}`, reconcileID: 'test', logger: silentLogger });
}

describe('status shards', () => {
  it('keeps the entries and own records of a cluster past --unsharded-members in shards, each mirrored into a DNSEndpoint, and publishes them whole', async () => {
    await clustersOf(hub.admin).create(prometheusCluster(NAME, { tier: 'sharded' }, { baseDomain: 'sharded.example.com', dns: { routingPolicy: 'weighted' } }));
    await reconcileUntil('an entry per member', (c) => c.status?.clusters?.length === MEMBERS.length);
    for (const member of MEMBERS) {
      const replica = await replicasOf(hub.admin).get(NAME, member);
      if (!replica) throw new Error(`no replica in ${member}`);
      await reportRunning(hub.admin, replica, ADDRESS(member));
    }
    const ready = await reconcileUntil('every member published', (c) => c.status?.phase === 'Ready' && setIds(c.status.endpoints).length === MEMBERS.length);
    expect(ready.status?.clusters?.map((entry) => entry.name)).toEqual(MEMBERS);

    // The PrometheusCluster itself holds the summary: no entries, no member's record, the layout.
    const raw = await rawCluster();
    expect(raw?.status).toMatchObject({ phase: 'Ready', selected: 5, ready: 5, shards: 4, endpoints: [] });
    expect(raw?.status?.clusters).toBeUndefined();
    // Each shard holds exactly its members, by the hash every reader uses.
    const written = await shards();
    expect(written.map((shard) => shard.metadata.name).sort()).toEqual(['sharded.0', 'sharded.1', 'sharded.2', 'sharded.3']);
    for (const shard of written) {
      const mine = MEMBERS.filter((member) => shardOf(member, 4) === shard.spec.shard);
      expect(shard.spec).toEqual({ cluster: NAME, shard: shard.spec.shard, shards: 4 });
      expect(shard.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'PrometheusCluster', name: NAME, uid: raw?.metadata.uid, controller: true });
      expect(shard.status?.clusters?.map((entry) => entry.name)).toEqual(mine);
      expect(setIds(shard.status?.endpoints)).toEqual(mine);
    }

    // DNS automation: one DNSEndpoint per shard holding records, none for the cluster (it has no shared record).
    await mirrorDNS();
    const endpoints = (await new ResourceClient(hub.admin, DNSEndpoints).list({ namespace: 'default' })).items;
    const byName = new Map(endpoints.map((endpoint) => [endpoint.metadata?.name ?? '', endpoint]));
    expect(byName.has(NAME)).toBe(false);
    for (const shard of written) {
      const mirrored = byName.get(shard.metadata.name);
      if ((shard.status?.endpoints ?? []).length === 0) expect(mirrored).toBeUndefined();
      else expect(mirrored?.spec?.endpoints?.map((e) => e.setIdentifier).sort()).toEqual(setIds(shard.status?.endpoints));
    }
    const mirroredIds = endpoints.flatMap((endpoint) => endpoint.spec?.endpoints ?? []).map((e) => e.setIdentifier);
    expect(new Set(mirroredIds)).toEqual(new Set(MEMBERS));
    // The endpoints API: every member's records, in one set for the cluster.
    await eventually('the store holds every member', () => setIds(store.get('default', NAME)?.endpoints).length === MEMBERS.length);
  });

  it("writes only the changed member's shard, and writes a shard deleted by hand again", async () => {
    const before = new Map((await shards()).map((shard) => [shard.metadata.name, shard.metadata.resourceVersion]));
    const replica = await replicasOf(hub.admin).get(NAME, 'm2');
    if (!replica) throw new Error('no replica in m2');
    await replicasOf(hub.admin).patch(NAME, 'm2', { status: { phase: 'Degraded' } }, { type: 'merge', subresource: 'status' });
    await eventually('the hub sees m2 Degraded', () => hub.registry.get('m2')?.replicas.get(`m2/${NAME}`)?.status?.phase === 'Degraded');
    hub.clusters.replicaChanged(KEY, 'm2');
    const degraded = await reconcileUntil('m2 Degraded and unpublished', (c) => !setIds(c.status?.endpoints).includes('m2'));
    expect(degraded.status?.clusters?.find((entry) => entry.name === 'm2')?.phase).toBe('Degraded');
    const after = await shards();
    const changed = after.filter((shard) => shard.metadata.resourceVersion !== before.get(shard.metadata.name)).map((shard) => shard.metadata.name);
    expect(changed).toEqual([`${NAME}.${String(shardOf('m2', 4))}`]);
    await eventually('the store drops m2', () => !setIds(store.get('default', NAME)?.endpoints).includes('m2'));

    // Small objects: the next change is not held back for as long as the last write took, only by
    // --status-batch-window (0 here), so it is reconciled at once.
    await replicasOf(hub.admin).patch(NAME, 'm3', { status: { phase: 'Degraded' } }, { type: 'merge', subresource: 'status' });
    await eventually('the hub sees m3 Degraded', () => hub.registry.get('m3')?.replicas.get(`m3/${NAME}`)?.status?.phase === 'Degraded');
    hub.clusters.replicaChanged(KEY, 'm3');
    await hub.reconcileCluster(KEY);
    expect(hub.clusters.replicaChanged(KEY, 'm3')).toBe(0);

    // Deleted by hand: the hub's watch asks for a full pass (hub.ts), which writes it again.
    const victim = `${NAME}.${String(shardOf('m0', 4))}`;
    await shardsApi().delete(victim, 'default');
    await eventually(`${victim} gone from the cache`, () => !hub.caches.shards.get(`default/${victim}`));
    hub.clusters.needsFullPass(KEY);
    await hub.reconcileCluster(KEY);
    // The shard object and its status are two writes: wait for the second.
    const back = await eventually(`${victim} written again with its status`, async () => {
      const shard = await shardsApi().get(victim, 'default');
      return shard?.status?.clusters ? shard : undefined;
    });
    expect(back.status?.clusters?.map((entry) => entry.name)).toContain('m0');
  });

  it("asks for a full pass when a shard's write fails after the reconcile that posted it has ended", async () => {
    const shard = `${NAME}.${String(shardOf('m4', 4))}`;
    const passes = async () => (await hub.hubMetrics.registry.getSingleMetric('promfleet_cluster_passes_total')?.get())?.values ?? [];
    const full = async () => (await passes()).find((value) => value.labels.pass === 'full')?.value ?? 0;
    const gate = gated.hold('prometheusclustershards', shard);
    await replicasOf(hub.admin).patch(NAME, 'm4', { status: { phase: 'Degraded' } }, { type: 'merge', subresource: 'status' });
    await eventually('the hub sees m4 Degraded', () => hub.registry.get('m4')?.replicas.get(`m4/${NAME}`)?.status?.phase === 'Degraded');
    hub.clusters.replicaChanged(KEY, 'm4');
    const requeuedBefore = hub.calls.requeued.length;
    // The reconcile posts the shard's write and returns while it is held.
    await hub.reconcileCluster(KEY);
    expect(hub.calls.requeued.length).toBe(requeuedBefore);
    gate.reject(new Error('etcdserver: request timed out'));
    await eventually('the cluster requeued', () => hub.calls.requeued.length > requeuedBefore);
    expect(hub.calls.requeued.at(-1)).toBe(KEY);
    // What the controller then runs is a full pass, which writes the shard again.
    const fullBefore = await full();
    await hub.reconcileCluster(KEY);
    expect(await full()).toBe(fullBefore + 1);
    await eventually('m4 Degraded in its shard', async () => {
      const written = await shardsApi().get(shard, 'default');
      return written?.status?.clusters?.find((entry) => entry.name === 'm4')?.phase === 'Degraded';
    });
  });

  it("writes again a shard whose status another hand changed, with the cluster's next change", async () => {
    // The hub compares what it composes with what it last sent a shard only while the shard is at
    // the version that write made: an edit by another hand is compared, and undone, like any drift.
    const edited = `${NAME}.${String(shardOf('m0', 4))}`;
    expect(shardOf('m3', 4)).not.toBe(shardOf('m0', 4));
    await shardsApi().patch(edited, 'default', { status: { clusters: [] } }, { type: 'merge', subresource: 'status' });
    await eventually(`the hub sees ${edited} emptied`, () => hub.caches.shards.get(`default/${edited}`)?.status?.clusters?.length === 0);
    const replica = await replicasOf(hub.admin).get(NAME, 'm3');
    if (!replica) throw new Error('no replica in m3');
    await reportRunning(hub.admin, replica, ADDRESS('m3'));
    await eventually('the hub sees m3 Running', () => hub.registry.get('m3')?.replicas.get(`m3/${NAME}`)?.status?.phase === 'Running');
    hub.clusters.replicaChanged(KEY, 'm3');
    await hub.reconcileCluster(KEY);
    await eventually(`${edited} holds m0 and m4 again`, async () => {
      const written = await shardsApi().get(edited, 'default');
      return written?.status?.clusters?.map((entry) => entry.name).join() === 'm0,m4';
    });
  });

  it('moves the entries back into the status when the selection shrinks to --unsharded-members or fewer, and deletes the shards and their DNSEndpoints', async () => {
    await clustersOf(hub.admin).patch(NAME, 'default', { spec: { clusterSelector: { matchLabels: { first: 'yes' } } } }, { type: 'merge' });
    const small = await reconcileUntil('only m0 selected', (c) => c.status?.clusters?.map((entry) => entry.name).join() === 'm0');
    expect(small.status?.shards).toBeUndefined();
    const raw = await rawCluster();
    expect(raw?.status?.clusters?.map((entry) => entry.name)).toEqual(['m0']);
    expect(setIds(raw?.status?.endpoints)).toEqual(['m0']);
    await eventually('no shard left', async () => (await shards()).length === 0);
    await eventually('shards gone from the cache', () => hub.caches.shards.list().length === 0);
    await mirrorDNS();
    const endpoints = (await new ResourceClient(hub.admin, DNSEndpoints).list({ namespace: 'default' })).items;
    expect(endpoints.map((endpoint) => endpoint.metadata?.name)).toEqual([NAME]);
    await eventually('the store holds m0 alone', () => setIds(store.get('default', NAME)?.endpoints).join() === 'm0');
  });

  it('refuses a shard whose spec the schema refuses: a shard past its count or of a cluster name no PrometheusCluster can have', async () => {
    const shard = (spec: Partial<PrometheusClusterShard['spec']>, name = 'x.0') =>
      shardsApi().create({
        apiVersion: 'promfleet.io/v1alpha1',
        kind: 'PrometheusClusterShard',
        metadata: { name, namespace: 'default' },
        spec: { cluster: 'x', shard: 0, shards: 2, ...spec },
      });
    await expect(shard({ shards: 1 })).rejects.toThrow(/spec.shards/);
    await expect(shard({}, 'no-dot')).rejects.toThrow(/metadata.name/);
  });
});
