import {
  ANNOTATIONS,
  FIELD_MANAGERS,
  PrometheusClusters,
  PrometheusClusterShards,
  shardObjectName,
  shardOf,
  type MemberEntry,
  type PrometheusClusterStatus,
} from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import { KubeApiError, ResourceClient } from '@promfleet/kube/client';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { EventRecorder } from '@promfleet/kube/status';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ShardWriter } from '../src/fanout/shard-writer.ts';
import { StatusWriter } from '../src/fanout/status-writer.ts';
import { hubMetrics } from '../src/hub-metrics.ts';
import { GatedClient } from './gated-client.ts';
import { clustersOf, eventually, prometheusCluster, startHubHarness, type HubHarness } from './reconcilers.ts';

// The status writer's pipelines on a real API server: within one layout a write of one shard
// never waits for another's, the caller never waits for either, states replaced while a write is
// in flight are never sent, and a write that fails after the caller moved on is reported.
const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4'];
const NAME = 'pipelined';
const KEY = `default/${NAME}`;
const SHARDS = 4;

const entry = (name: string, address: string): MemberEntry => ({ name, phase: 'Running', ready: true, stale: false, addresses: [address] });

/** A status of every member, with `changed` members at other addresses. */
function status(changed: Readonly<Record<string, string>> = {}): PrometheusClusterStatus {
  const address = (member: string) => changed[member] ?? `192.0.2.${String(10 + MEMBERS.indexOf(member))}`;
  return {
    phase: 'Ready',
    selected: MEMBERS.length,
    ready: MEMBERS.length,
    clusters: MEMBERS.map((member) => entry(member, address(member))),
    endpoints: MEMBERS.map((member) => ({
      dnsName: 'query.pipelined.example.com',
      recordType: 'A' as const,
      targets: [address(member)],
      ttl: 30,
      setIdentifier: member,
      routingPolicy: 'weighted' as const,
      weight: 1,
    })),
  };
}

let hub: HubHarness;
let client: GatedClient;
let writer: StatusWriter;
const failed: { key: string; error: string }[] = [];

beforeAll(async () => {
  hub = await startHubHarness({ sharding: { unshardedMembers: 2, membersPerShard: 2 } });
  client = new GatedClient(hub.fleet.cluster('hub').kubeConfig, { cluster: 'hub' });
  const applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  writer = new StatusWriter({
    applier,
    resources: new ResourceClient(client, PrometheusClusters),
    clusters: hub.caches.clusters,
    events: new EventRecorder(client, { component: 'promfleet-hub', logger: silentLogger }),
    hubMetrics: hubMetrics(new KitMetrics()),
    shards: new ShardWriter({ applier, resources: new ResourceClient(client, PrometheusClusterShards), shards: hub.caches.shards }),
    sharding: { unshardedMembers: 2, membersPerShard: 2 },
    onWriteFailed: (key, error) => failed.push({ key, error: String(error) }),
  });
}, 180_000);

afterAll(async () => {
  await client.close();
  await hub.stop();
});

const shardsApi = () => new ResourceClient(hub.admin, PrometheusClusterShards);
const addressIn = async (member: string) => {
  const shard = await shardsApi().get(shardObjectName(NAME, shardOf(member, SHARDS)), 'default');
  return shard?.status?.clusters?.find((e) => e.name === member)?.addresses?.[0];
};
/** What the hub would start its next reconcile from. */
const current = () => writer.current(KEY, hub.caches.clusters.get(KEY));

describe('status write pipelines', () => {
  it("writes one member's shard while another shard's write is in flight, and sends only the newest state after it", async () => {
    // Two members in different shards.
    const [slow, fast] = [
      MEMBERS.find((m) => shardOf(m, SHARDS) === shardOf('m0', SHARDS)) ?? 'm0',
      MEMBERS.find((m) => shardOf(m, SHARDS) !== shardOf('m0', SHARDS)),
    ];
    if (!fast) throw new Error('every member in one shard');
    const created = await clustersOf(hub.admin).create(prometheusCluster(NAME, { tier: 'pipelined' }));
    await eventually('the cluster cached', () => hub.caches.clusters.get(KEY));
    // A new layout (one object → four shards) is written before write() returns.
    expect(await writer.write(created, status())).toBe(SHARDS);
    expect(await addressIn(slow)).toBe(`192.0.2.${String(10 + MEMBERS.indexOf(slow))}`);
    await eventually('the shards cached', () => hub.caches.shards.byIndex('cluster', KEY).length === SHARDS);
    await eventually('the layout cached', () => hub.caches.clusters.get(KEY)?.status?.shards === SHARDS);

    const slowShard = shardObjectName(NAME, shardOf(slow, SHARDS));
    const gate = client.hold('prometheusclustershards', slowShard);
    const writesBefore = client.statusWrites('prometheusclustershards', slowShard);
    // write() returns with the slow shard's write held: the caller takes the next changes in meanwhile.
    await writer.write(current() ?? created, status({ [slow]: '198.51.100.1' }));
    await writer.write(current() ?? created, status({ [slow]: '198.51.100.2' }));
    await writer.write(current() ?? created, status({ [slow]: '198.51.100.3', [fast]: '198.51.100.9' }));
    // The other shard's write went out while the slow one is still held.
    await eventually(`${fast}'s shard written`, async () => (await addressIn(fast)) === '198.51.100.9');
    expect(await addressIn(slow)).toBe(`192.0.2.${String(10 + MEMBERS.indexOf(slow))}`);
    // What the next reconcile starts from is what was posted, not what the API server has yet.
    expect(current()?.status?.clusters?.find((e) => e.name === slow)?.addresses).toEqual(['198.51.100.3']);

    gate.resolve(undefined);
    await eventually(`${slow}'s newest address written`, async () => (await addressIn(slow)) === '198.51.100.3');
    // The first state, then the newest: the one in between was replaced before its turn.
    expect(client.statusWrites('prometheusclustershards', slowShard) - writesBefore).toBe(2);
    expect(failed).toEqual([]);
  });

  it('reports a write that failed after the caller moved on, and writes again what it is then given', async () => {
    const member = 'm1';
    const shard = shardObjectName(NAME, shardOf(member, SHARDS));
    const gate = client.hold('prometheusclustershards', shard);
    await writer.write(current() ?? (await clustersOf(hub.admin).get(NAME, 'default')) ?? fail(), status({ m1: '203.0.113.1' }));
    gate.reject(new KubeApiError('hub', 500, { reason: 'InternalError', message: 'etcdserver: request timed out' }, 'apply status'));
    const report = await eventually('the failure reported', () => failed.at(0));
    expect(report).toMatchObject({ key: KEY, error: expect.stringContaining('etcdserver: request timed out') as unknown });
    // Nothing posted is left pretending to be written: the next write compares with the API server's shard, and sends it.
    expect(current()?.status?.clusters?.find((e) => e.name === member)?.addresses).not.toEqual(['203.0.113.1']);
    await writer.write(current() ?? fail(), status({ m1: '203.0.113.1' }));
    await eventually(`${member}'s address written`, async () => (await addressIn(member)) === '203.0.113.1');
  });
});

function fail(): never {
  throw new Error('the PrometheusCluster is gone');
}
