import { Leases, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { ENTRIES, startNodeProcess, startRedis, type NodeProcess, type RedisServer } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { setPrometheusReady } from '../helpers/actions.ts';
import { followEndpoints, sameView, servedView, type EndpointsFollower } from '../helpers/endpoints-follower.ts';
import { monitorInvariants } from '../helpers/invariants.ts';
import { isLeading, scrape, settledWrites, total, writesBesidesLease } from '../helpers/metrics.ts';
import { apiTargets, conditionOf, entryOf, prometheusCluster, replicasIn } from '../helpers/observe.ts';
import { eventually, HUB_NAMESPACE, startPromfleet, type Promfleet } from '../helpers/promfleet-fleet.ts';
import { superviseOperators, type OperatorSupervisor } from '../helpers/supervisor.ts';
import { hubWrittenState } from '../helpers/written-state.ts';

// R3, R4, R5: the control plane around the hub fails — its API server, a member's API server,
// Redis, the hub process itself. Three "cloud" members, Redis without persistence (a restart
// loses everything) and an API-only replica reading Redis, as DNS automation would.
const MEMBERS = ['eu-west', 'us-east', 'ap-south'] as const;
const LEASE_TAKEOVER_BOUND_MS = 20_000;

// An API server restart on a busy machine can outlast client-go's 10 s renew deadline, after
// which a leader exits by design (leadership.int.test.ts covers that). These suites are about
// riding an outage out, so they give the leaders the room an operator would give them.
const RIDE_OUT_OUTAGES = ['--leader-elect-lease-duration=90s', '--leader-elect-renew-deadline=60s'];
const CLIENT_GO_LEASE_TIMING = ['--leader-elect-lease-duration=15s', '--leader-elect-renew-deadline=10s'];

let pf: Promfleet;
let redis: RedisServer;
let api: NodeProcess;
let members: Map<string, KubeClient>;
// A member API server restart outlasts the operator's renew deadline when the machine is busy:
// the operator then exits, as it should, and its Deployment would start it again.
let supervisor: OperatorSupervisor;

beforeAll(async () => {
  redis = await startRedis();
  pf = await startPromfleet({
    members: MEMBERS.map((name) => ({ name, labels: { platform: 'cloud' } })),
    hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '20s', redisUrl: redis.url, extraArgs: RIDE_OUT_OUTAGES },
    operatorArgs: RIDE_OUT_OUTAGES,
  });
  supervisor = superviseOperators(pf);
  members = new Map(MEMBERS.map((name) => [name, pf.members.get(name)?.client ?? pf.hub]));
  api = await startNodeProcess({ name: 'promfleet-hub-api', entry: ENTRIES.hub, args: ['api', `--redis-url=${redis.url}`] });
  await pf.clusters.create(prometheusCluster('steady', { clusterSelector: { matchLabels: { platform: 'cloud' } }, baseDomain: 'steady.example.com' }));
  await eventually('steady Ready on all members', () => readyOn('steady', 3));
});

afterAll(async () => {
  await api.stop();
  await supervisor.stop();
  await pf.stop();
  await redis.dispose();
});

const member = (name: string): KubeClient => members.get(name) ?? pf.hub;
async function readyOn(name: string, count: number) {
  const cluster = await pf.clusters.get(name, 'default');
  if (cluster?.status?.ready === count && cluster.status.clusters?.length === 3) return cluster;
  throw new Error(`${name}: ${JSON.stringify(cluster?.status?.clusters?.map((entry) => [entry.name, entry.phase, entry.ready]))}`);
}
const watchesReopened = async (url: string, cluster: string) =>
  total(await scrape(url), 'promfleet_informer_watch_restarts_total', (labels) => labels.cluster === cluster) +
  total(await scrape(url), 'promfleet_informer_relists_total', (labels) => labels.cluster === cluster && labels.reason !== 'initial');

describe('API server restarts (R4)', () => {
  it('the hub API server crash-restarts: the hub rides it out, its watches resume, and a member change made meanwhile is reconciled', async () => {
    const hub = pf.hubProcess;
    const before = await watchesReopened(hub.url, 'hub');
    const down = Date.now();
    await pf.hubCluster.apiServer.kill();
    // Made while the hub cannot write status: eu-west's Prometheus goes unready.
    await setPrometheusReady(member('eu-west'), 'steady', false);
    await pf.hubCluster.start();
    console.log(`hub API server down for ${String(Date.now() - down)} ms (the leader keeps its Lease up to the 60 s renew deadline)`);
    const reconciled = await eventually('the change reconciled into the status', async () => {
      const cluster = await pf.clusters.get('steady', 'default');
      return cluster?.status?.ready === 2 && entryOf(cluster, 'eu-west')?.ready === false ? cluster : undefined;
    });
    expect(conditionOf(reconciled, 'Ready')?.status).toBe('False');
    expect(hub.process.running).toBe(true);
    expect(await watchesReopened(hub.url, 'hub')).toBeGreaterThan(before);
    // Its PrometheusCluster watch works again: a spec change made now is acted on.
    await pf.clusters.patch('steady', 'default', { spec: { dns: { ttl: 60 } } });
    await eventually('the new TTL in the status', async () => (await pf.clusters.get('steady', 'default'))?.status?.endpoints?.[0]?.ttl === 60);
    await setPrometheusReady(member('eu-west'), 'steady', true);
    await eventually('steady Ready on all members', () => readyOn('steady', 3));
  });

  it('a member API server restarts: the member watch resumes, and a spec change made while it was down reaches it', async () => {
    const before = await watchesReopened(pf.hubProcess.url, 'us-east');
    const { cluster } = pf.members.get('us-east') ?? {};
    await cluster?.stop();
    const { metadata } = await pf.clusters.patch('steady', 'default', { spec: { externalLabels: { team: 'sre' } } });
    await cluster?.start();
    const caughtUp = await eventually('us-east at the new generation', async () => {
      const current = await readyOn('steady', 3);
      return current.status?.clusters?.every((entry) => entry.observedGeneration === metadata.generation) ? current : undefined;
    });
    expect(conditionOf(caughtUp, 'Propagated')?.status).toBe('True');
    expect((await replicasIn(member('us-east'))).get('steady')).toMatchObject({ spec: { externalLabels: { team: 'sre' } } });
    expect(await watchesReopened(pf.hubProcess.url, 'us-east')).toBeGreaterThan(before);
    // Its replica watch works again: a change in us-east now reaches the status.
    await setPrometheusReady(member('us-east'), 'steady', false);
    await eventually('us-east unready in the status', async () => entryOf(await pf.clusters.get('steady', 'default'), 'us-east')?.ready === false);
    await setPrometheusReady(member('us-east'), 'steady', true);
    await eventually('steady Ready on all members', () => readyOn('steady', 3));
  });
});

describe('a Redis outage during updates (R5)', () => {
  it('keeps reconciling, serves the last snapshot degraded, republishes everything, and SSE clients end where the API is', async () => {
    await pf.clusters.create(prometheusCluster('burst', { clusterSelector: { matchLabels: { platform: 'cloud' } }, baseDomain: 'burst.example.com' }));
    await eventually('burst Ready', () => readyOn('burst', 3));
    await eventually('burst published by the API replica', async () => (await apiTargets(api.url, 'burst')).length === 3);
    const staying = await followEndpoints(api.url);
    const leaving = await followEndpoints(api.url);
    // Throughout: the API replica never drops what it had, however Redis fares.
    const monitor = monitorInvariants(
      { 'steady served by the API replica': async () => ((await apiTargets(api.url, 'steady')).length === 3 ? undefined : 'steady lost its targets') },
      100,
    );
    const ttls: number[] = [];
    const burst = { running: true };
    const updates = (async () => {
      for (let ttl = 31; burst.running; ttl++) {
        await pf.clusters.patch('burst', 'default', { spec: { dns: { ttl } } });
        ttls.push(ttl);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      await eventually('updates under way', () => ttls.length >= 3);
      await redis.kill();
      const degraded = await eventually('the API replica degraded', async () => {
        const response = await fetch(`${api.url}/readyz`);
        const text = await response.text();
        return text.includes('degraded') ? { status: response.status, text } : undefined;
      });
      expect(degraded.status).toBe(200);
      await eventually('the hub degraded too', async () => (await (await fetch(`${pf.hubProcess.url}/readyz`)).text()).includes('degraded'), 10_000);
      // Reconciling goes on without Redis: the status follows the spec.
      const during = ttls.length;
      await eventually(
        'the status following the updates while Redis is down',
        async () => ((await pf.clusters.get('burst', 'default'))?.status?.endpoints?.[0]?.ttl ?? 0) > 30 + during,
      );
      leaving.close();
      await redis.start();
      await eventually('updates after Redis is back', () => ttls.length >= during + 4);
    } finally {
      burst.running = false;
      await updates;
    }
    const last = ttls.at(-1);
    await eventually('the last update in the status', async () => (await pf.clusters.get('burst', 'default'))?.status?.endpoints?.[0]?.ttl === last);
    await eventually('the API replica serves the last update', async () => {
      const body = (await (await fetch(`${api.url}/api/v1/endpoints/default/burst`)).json()) as { endpoints: { ttl: number }[] };
      return body.endpoints[0]?.ttl === last;
    });
    // Full republish: steady, untouched during the outage, is back in the emptied Redis too.
    const hash = await redis.client().hgetall('promfleet:endpoints');
    expect(Object.keys(hash).sort()).toEqual(['default/burst', 'default/steady']);
    await eventually('healthy again', async () => !(await (await fetch(`${api.url}/readyz`)).text()).includes('degraded'));
    const resumed: EndpointsFollower = await followEndpoints(api.url, {}, leaving);
    const served = await servedView(api.url);
    await eventually('both SSE clients hold what the API serves', () => sameView(staying.view, served) && sameView(resumed.view, served));
    staying.close();
    resumed.close();
    await monitor.stop();
    console.log(`${String(ttls.length)} updates, Redis killed mid-burst; invariants checked ${String(monitor.rounds)} times`);
    expect(monitor.violations).toEqual([]);
  });
});

describe('leader failover (R3)', () => {
  const lease = () => new ResourceClient(pf.hub, Leases).get('promfleet-hub', HUB_NAMESPACE);
  let leader: NodeProcess;
  let standby: NodeProcess;
  const redisWrites: { before?: string | null; after?: string | null; published: string[] } = { published: [] };

  // Failover is measured with client-go's timings: the hub that rode the outages out above
  // steps down (a clean stop releases its Lease) for a pair that keeps the defaults.
  const startDefaultHub = () => pf.startHub(CLIENT_GO_LEASE_TIMING);

  beforeAll(async () => {
    await pf.hubProcess.stop();
    leader = await startDefaultHub();
    await eventually('the new hub leading', async () => isLeading(await scrape(leader.url)), 120_000, 200);
    standby = await startDefaultHub();
    expect(isLeading(await scrape(standby.url))).toBe(false);
  });

  it('kill -9 of the leader mid fan-out: the standby leads within 20 s and finishes the fan-out', async () => {
    const waves = ['wave-1', 'wave-2', 'wave-3'];
    await Promise.all(
      waves.map((name) =>
        pf.clusters.create(prometheusCluster(name, { clusterSelector: { matchLabels: { platform: 'cloud' } }, baseDomain: `${name}.example.com` })),
      ),
    );
    const started = await eventually(
      'the fan-out under way',
      async () => {
        const held = await Promise.all(
          MEMBERS.map(async (name) => [...(await replicasIn(member(name))).keys()].filter((replica) => replica.startsWith('wave-')).length),
        );
        const count = held.reduce((sum, n) => sum + n, 0);
        return count > 0 ? count : undefined;
      },
      30_000,
      20,
    );
    await leader.process.kill();
    const killedAt = Date.now();
    console.log(`leader killed with ${String(started)} of ${String(waves.length * MEMBERS.length)} wave replicas created`);
    await eventually('the standby leading', async () => isLeading(await scrape(standby.url)), 40_000, 200);
    const acquired = Date.parse((await lease())?.spec?.acquireTime ?? '');
    console.log(`standby acquired the Lease ${String(acquired - killedAt)} ms after the kill (bound ${String(LEASE_TAKEOVER_BOUND_MS)} ms)`);
    expect(acquired - killedAt).toBeLessThanOrEqual(LEASE_TAKEOVER_BOUND_MS);
    for (const name of waves) await eventually(`${name} Ready on all members`, () => readyOn(name, 3));
    for (const name of MEMBERS) expect([...(await replicasIn(member(name))).keys()].sort(), name).toEqual(['burst', 'steady', ...waves]);
    await eventually('the new leader publishes the waves', async () => (await apiTargets(api.url, 'wave-3')).length === 3);
  });

  it('a leader paused past its Lease: the standby leads; resumed, the old leader writes nothing to Kubernetes and exits', async () => {
    const old = standby;
    const next = await startDefaultHub();
    const oldWrites = writesBesidesLease(await scrape(old.url));
    old.process.pause();
    const pausedAt = Date.now();
    await eventually('the new standby leading', async () => isLeading(await scrape(next.url)), 40_000, 200);
    console.log(`paused leader replaced after ${String(Date.now() - pausedAt)} ms`);
    // Work the old leader will see in its watch streams when it wakes up.
    await setPrometheusReady(member('ap-south'), 'wave-1', false);
    await eventually('wave-1 down to 2', () => readyOn('wave-1', 2));
    await setPrometheusReady(member('ap-south'), 'wave-1', true);
    await pf.clusters.patch('wave-2', 'default', { spec: { dns: { ttl: 90 } } });
    await eventually('wave-1 back', () => readyOn('wave-1', 3));
    await eventually('wave-2 TTL', async () => (await pf.clusters.get('wave-2', 'default'))?.status?.endpoints?.[0]?.ttl === 90);
    await eventually('the API replica current', async () => ((await servedView(api.url)).get('default/wave-2') ?? '').includes('"ttl":90'));
    // The new leader finishes what those changes asked of it (status, DNSEndpoints) before the old one wakes.
    const nextWrites = await settledWrites(next.url);
    const before = await hubWrittenState(pf.hub, members);
    const watcher = redis.client();
    await watcher.subscribe('promfleet:endpoints:changes');
    watcher.on('message', (_channel: string, message: string) => redisWrites.published.push(message));
    redisWrites.before = await redis.client().get('promfleet:endpoints:revision');

    old.process.resume();
    const exitCode = await old.process.exited;
    // Redis answers a connection in order: once this PING is answered, every message published
    // before the old leader exited has reached the subscriber.
    await watcher.ping();
    redisWrites.after = await redis.client().get('promfleet:endpoints:revision');
    await watcher.unsubscribe();
    expect(exitCode).toBe(1);
    expect(writesBesidesLease(await scrape(next.url))).toBe(nextWrites);
    expect(await hubWrittenState(pf.hub, members)).toEqual(before);
    console.log(`old leader: ${String(oldWrites)} Kubernetes writes before the pause; it exited with ${String(exitCode)} after resuming`);
  });

  it('the old leader, resumed, publishes nothing to the endpoint store either', () => {
    expect(redisWrites.published).toEqual([]);
    expect(redisWrites.after).toBe(redisWrites.before);
  });
});
