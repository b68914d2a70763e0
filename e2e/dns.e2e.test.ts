import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { API_VERSION, type PrometheusCluster } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { canonicalJSON } from '@promfleet/kube/apply';
import { Pods, ResourceClient } from '@promfleet/kube/client';
import {
  connectSSE,
  ENTRIES,
  LOAD_BALANCER_ANNOTATION,
  startNodeProcess,
  startRedis,
  UNREADY_ANNOTATION,
  type NodeProcess,
  type RedisServer,
} from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { conditionalStatus, dnsEndpointOf, etagOf, lastHubWrite, publishedDNS } from './helpers/dns-published.ts';
import { scrape, total } from './helpers/metrics.ts';
import { apiTargets, conditionOf, dnsEndpointTargets, entryOf, eventsAbout, statusTargets } from './helpers/observe.ts';
import { eventually, HUB_NAMESPACE, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';
import { superviseOperators, type OperatorSupervisor } from './helpers/supervisor.ts';

const TOKEN = 'dns-automation-token';
// Probes every 2 s, Offline after 10 s: at least 2.2 probe intervals plus the probe timeout
// (docs/dns.md#failing-static), so a hub cut off from every member sees the cut whole.
const PROBE_MS = 2_000;
const OFFLINE_AFTER_MS = 10_000;

let pf: Promfleet;
let redis: RedisServer;
let api: NodeProcess;
let tokenFile: string;
// Members' API servers are paused past the operators' renew deadline below: their Deployment would restart them.
let supervisor: OperatorSupervisor;
/** Processes a test starts besides the fleet's, stopped after the suite whatever happens. */
const extra: NodeProcess[] = [];
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  redis = await startRedis();
  tokenFile = join(mkdtempSync(join(tmpdir(), 'promfleet-token-')), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  pf = await startPromfleet({
    members: [
      { name: 'eu-west', labels: { platform: 'cloud' } },
      { name: 'us-east', labels: { platform: 'cloud' } },
    ],
    hub: {
      probeInterval: `${String(PROBE_MS / 1000)}s`,
      offlineAfter: `${String(OFFLINE_AFTER_MS / 1000)}s`,
      deletionTimeout: '20s',
      redisUrl: redis.url,
      extraArgs: [`--api-token-file=${tokenFile}`],
    },
  });
  supervisor = superviseOperators(pf);
  // An API-only replica: Redis and a token file, no Kubernetes credentials.
  api = await startApiReplica();
  await pf.clusters.create({
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud-clusters', namespace: 'default' },
    spec: {
      clusterSelector: { matchLabels: { platform: 'cloud' } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      baseDomain: 'prometheus.example.com',
    },
  } as unknown as PrometheusCluster);
  await eventually('both members ready', async () => (await pf.clusters.get('cloud-clusters', 'default'))?.status?.ready === 2);
});

afterAll(async () => {
  rmSync(dirname(tokenFile), { recursive: true, force: true });
  await supervisor.stop();
  await Promise.all(extra.map((process) => process.stop()));
  await pf.stop();
  await redis.dispose();
});

/** `promfleet-hub api` on Redis with the token; ready when it answers `readyPath`. */
async function startApiReplica(readyPath = '/readyz'): Promise<NodeProcess> {
  const process = await startNodeProcess({
    name: 'promfleet-hub-api',
    entry: ENTRIES.hub,
    args: ['api', `--redis-url=${redis.url}`, `--api-token-file=${tokenFile}`],
    readyPath,
  });
  extra.push(process);
  return process;
}

async function targets(url: string): Promise<string[]> {
  const response = await fetch(`${url}/api/v1/endpoints/default/cloud-clusters`, { headers: auth });
  if (!response.ok) return [];
  const body = (await response.json()) as { endpoints: { targets: string[] }[] };
  return [...(body.endpoints[0]?.targets ?? [])].sort();
}

const dnsTargets = async () =>
  [...((await new ResourceClient(pf.hub, DNSEndpoints).get('cloud-clusters', 'default'))?.spec?.endpoints?.[0]?.targets ?? [])].sort();

/** Marks a member's Prometheus pod unready (or ready again) through the fake kubelet. */
async function setPrometheusReady(member: string, ready: boolean): Promise<void> {
  const client = pf.members.get(member)?.client;
  if (!client) throw new Error(`no member ${member}`);
  await new ResourceClient(client, Pods).patch('cloud-clusters-prometheus-0', MEMBER_NAMESPACE, {
    metadata: { annotations: { [UNREADY_ANNOTATION]: ready ? null : 'true' } },
  });
}

describe('the DNS read path', () => {
  it('serves the same records from the hub, the API-only replica and the DNSEndpoint', async () => {
    const all = await eventually('two targets everywhere', async () => {
      const [hub, apiOnly, dns] = await Promise.all([targets(pf.hubProcess.url), targets(api.url), dnsTargets()]);
      return hub.length === 2 && JSON.stringify(hub) === JSON.stringify(apiOnly) && JSON.stringify(hub) === JSON.stringify(dns) ? hub : undefined;
    });
    expect(all).toHaveLength(2);
    expect((await fetch(`${api.url}/api/v1/endpoints`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/v1/endpoints`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('follows member readiness: an unready member leaves the DNSEndpoint and the API, and returns', async () => {
    const watch = await connectSSE(`${api.url}/api/v1/endpoints/watch`, auth);
    await watch.next();
    const euAddress = (await pf.clusters.get('cloud-clusters', 'default'))?.status?.clusters?.find((c) => c.name === 'eu-west')?.addresses?.[0] ?? '';
    await setPrometheusReady('eu-west', false);
    await eventually('eu-west out of the DNSEndpoint', async () => (await dnsTargets()).length === 1 && !(await dnsTargets()).includes(euAddress));
    const change = await eventually(
      'an SSE change on the API-only replica',
      async () => {
        const event = await watch.next(15_000);
        return event.event === 'change' && !event.data.includes(euAddress) ? event : undefined;
      },
      30_000,
      0,
    );
    expect(JSON.parse(change.data)).toMatchObject({ namespace: 'default', name: 'cloud-clusters' });
    await setPrometheusReady('eu-west', true);
    await eventually('eu-west back everywhere', async () => (await dnsTargets()).includes(euAddress) && (await targets(api.url)).includes(euAddress));
    watch.close();
  });

  it('keeps reconciling while Redis is down, serves the last snapshot degraded, and republishes when Redis is back', async () => {
    const before = await targets(api.url);
    expect(before).toHaveLength(2);
    const usAddress = (await pf.clusters.get('cloud-clusters', 'default'))?.status?.clusters?.find((c) => c.name === 'us-east')?.addresses?.[0] ?? '';
    await redis.kill();
    await eventually('the API replica degraded', async () => (await (await fetch(`${api.url}/readyz`)).text()).includes('degraded'));
    const readyz = await fetch(`${api.url}/readyz`);
    expect(readyz.status).toBe(200);
    // One that starts now has nothing to serve: not ready, and 503 rather than an empty list.
    const late = await startApiReplica('/healthz');
    expect((await fetch(`${late.url}/readyz`)).status).toBe(503);
    const waiting = await fetch(`${late.url}/api/v1/endpoints`, { headers: auth });
    expect(waiting.status).toBe(503);
    expect(waiting.headers.get('retry-after')).toBe('5');

    // The hub keeps reconciling: us-east goes unready and the status and DNSEndpoint follow.
    await setPrometheusReady('us-east', false);
    await eventually('us-east out of the hub status', async () => {
      const status = await pf.clusters.get('cloud-clusters', 'default');
      return status?.status?.endpoints?.[0]?.targets.length === 1;
    });
    await eventually('us-east out of the DNSEndpoint', async () => !(await dnsTargets()).includes(usAddress));
    expect(await targets(api.url)).toEqual(before);

    // Redis returns empty (no persistence): the leader republishes everything.
    await redis.start();
    await eventually(
      'the API replica current again',
      async () => {
        const now = await targets(api.url);
        return now.length === 1 && !now.includes(usAddress);
      },
      60_000,
    );
    await eventually('healthy again', async () => !(await (await fetch(`${api.url}/readyz`)).text()).includes('degraded'));
    // The late replica: ready once it has what the hub republished, and serving the same.
    await eventually('the late API replica ready', async () => (await fetch(`${late.url}/readyz`)).status === 200);
    expect(await targets(late.url)).toEqual(await targets(api.url));
    expect(await etagOf(late.url, auth)).toBe(await etagOf(api.url, auth));
    const watch = await connectSSE(`${api.url}/api/v1/endpoints/watch`, auth);
    await watch.next();
    await setPrometheusReady('us-east', true);
    await eventually(
      'watchers resume: us-east back through SSE',
      async () => {
        const event = await watch.next(15_000);
        return event.data.includes(usAddress) ? event : undefined;
      },
      30_000,
      0,
    );
    watch.close();
  });
});

describe('one answer from every replica of the endpoints API', () => {
  it('gives the same ETag for the same records on the hub, the API-only replica and hubs without Redis; 304 on one is 304 on all; a watcher resumes on any', async () => {
    // Two more hub replicas as the chart runs them by default: no Redis, each serving from its own
    // cache. They stand by (the hub above holds the Lease) and serve the API all the same.
    const memory = await Promise.all(
      [0, 1].map(async (i) => {
        const process = await startNodeProcess({
          name: `promfleet-hub-memory-${String(i)}`,
          entry: ENTRIES.hub,
          args: [`--kubeconfig=${pf.hubCluster.kubeconfigFile}`, `--namespace=${HUB_NAMESPACE}`, `--api-token-file=${tokenFile}`, '--log-level=warn'],
        });
        extra.push(process);
        return process;
      }),
    );
    const urls = [pf.hubProcess.url, api.url, ...memory.map((process) => process.url)];
    const sameEverywhere = (not?: string) => async () => {
      const etags = await Promise.all(urls.map((url) => etagOf(url, auth)));
      return new Set(etags).size === 1 && etags[0] !== not ? etags[0] : undefined;
    };
    const etag = await eventually('one ETag on all four', sameEverywhere());
    for (const url of urls) expect(await conditionalStatus(url, etag, auth)).toBe(304);
    const watch = await connectSSE(`${memory[0]?.url ?? ''}/api/v1/endpoints/watch`, auth);
    const seen = await watch.next();
    watch.close();
    expect(`"${seen.id ?? ''}"`).toBe(etag);

    // A change: the old ETag is stale on every replica, and the new one current on every replica.
    await setPrometheusReady('eu-west', false);
    const changed = await eventually('a new ETag on all four', sameEverywhere(etag));
    for (const url of urls) {
      expect(await conditionalStatus(url, etag, auth)).toBe(200);
      expect(await conditionalStatus(url, changed, auth)).toBe(304);
    }
    // The watcher comes back to another replica (the API-only one, fed by Redis, not by a cache)
    // with the id a hub without Redis gave it: it gets the change it missed, not a snapshot.
    const resumed = await connectSSE(`${api.url}/api/v1/endpoints/watch`, { ...auth, 'last-event-id': seen.id ?? '' });
    const events = [await resumed.next()];
    while (`"${events.at(-1)?.id ?? ''}"` !== changed) events.push(await resumed.next());
    resumed.close();
    expect(events.map((event) => event.event)).toEqual(events.map(() => 'change'));
    await setPrometheusReady('eu-west', true);
    await eventually('eu-west back on all four', async () => (await Promise.all(urls.map((url) => targets(url)))).every((served) => served.length === 2));
    await eventually('the first ETag again on all four: the same records, the same revision', async () => (await sameEverywhere()()) === etag);
    await Promise.all(memory.map((process) => process.stop()));
  });
});

describe('members behind load balancers that report hostnames (the CNAME path)', () => {
  const EDGE = 'edge';
  const edge = () => pf.clusters.get(EDGE, 'default');
  const query = 'query.edge.example.com';
  const cname = (member: string) => `${member}.lb.example.net`;
  const dnsEndpoint = async () => (await new ResourceClient(pf.hub, DNSEndpoints).get(EDGE, 'default'))?.spec?.endpoints;
  const served = async () => {
    const response = await fetch(`${api.url}/api/v1/endpoints/default/${EDGE}`, { headers: auth });
    return response.ok ? ((await response.json()) as { endpoints: unknown[] }).endpoints : [];
  };
  /** The records in the status, the DNSEndpoint and the API-only replica, once all three agree. */
  const published = (expected: { status: unknown[]; dnsEndpoint: unknown[] | undefined }) =>
    eventually(`${EDGE} published as expected everywhere`, async () => {
      const [status, endpoint, api] = await Promise.all([edge().then((cluster) => cluster?.status?.endpoints ?? []), dnsEndpoint(), served()]);
      const now = canonicalJSON({ status, dnsEndpoint: endpoint, api });
      if (now === canonicalJSON({ ...expected, api: expected.status })) return true;
      throw new Error(now);
    });
  const dnsPublished = async () => (await edge())?.status?.conditions?.find((condition) => condition.type === 'DNSPublished');

  it('publishes one CNAME under none, one per member with aws/weight under weighted, and refuses multivalue naming the field, as the policy changes on the running object', async () => {
    // The fake load balancer reports a hostname for this PrometheusCluster's Ingresses, as an ELB would.
    await pf.clusters.create({
      apiVersion: API_VERSION,
      kind: 'PrometheusCluster',
      metadata: { name: EDGE, namespace: 'default' },
      spec: {
        clusterSelector: { matchLabels: { platform: 'cloud' } },
        configMap: 'prometheus-config',
        bucketSecret: 's3-bucket',
        baseDomain: 'edge.example.com',
        ingress: { annotations: { [LOAD_BALANCER_ANNOTATION]: 'hostname' } },
      },
    } as unknown as PrometheusCluster);

    // none (the default): the first member's CNAME, no set identifier, no routing policy.
    await published({
      status: [{ dnsName: query, recordType: 'CNAME', targets: [cname('eu-west')], ttl: 30 }],
      dnsEndpoint: [{ dnsName: query, recordType: 'CNAME', targets: [cname('eu-west')], recordTTL: 30 }],
    });
    // us-east, once ready too, stands by: the name still points at eu-west only.
    const standingBy = await eventually('us-east standing by', async () => {
      const condition = await dnsPublished();
      return condition?.message.includes("standing by (spec.dns.routingPolicy none publishes one member's CNAME): us-east") ? condition : undefined;
    });
    expect(standingBy).toMatchObject({ status: 'True', reason: 'Published' });
    expect((await edge())?.status?.endpoints).toEqual([{ dnsName: query, recordType: 'CNAME', targets: [cname('eu-west')], ttl: 30 }]);

    // weighted: one CNAME per member, the member as set identifier, equal weights as aws/weight.
    await pf.clusters.patch(EDGE, 'default', { spec: { dns: { routingPolicy: 'weighted' } } });
    const weighted = (member: string) => ({
      dnsName: query,
      recordType: 'CNAME',
      targets: [cname(member)],
      ttl: 30,
      setIdentifier: member,
      routingPolicy: 'weighted',
      weight: 1,
    });
    const weightedEndpoint = (member: string) => ({
      dnsName: query,
      recordType: 'CNAME',
      targets: [cname(member)],
      recordTTL: 30,
      setIdentifier: member,
      providerSpecific: [{ name: 'aws/weight', value: '1' }],
    });
    await published({ status: [weighted('eu-west'), weighted('us-east')], dnsEndpoint: [weightedEndpoint('eu-west'), weightedEndpoint('us-east')] });

    // multivalue: Route 53 has no multivalue CNAME, so nothing is published, and the condition says which field.
    await pf.clusters.patch(EDGE, 'default', { spec: { dns: { routingPolicy: 'multivalue' } } });
    await published({ status: [], dnsEndpoint: undefined });
    expect(await dnsPublished()).toMatchObject({
      status: 'False',
      reason: 'RoutingPolicyUnsupported',
      message: `no ready member to publish for ${query}; left out (spec.dns.routingPolicy multivalue cannot publish hostname targets: Route 53 has no multivalue CNAME or alias records; use weighted or none): eu-west, us-east`,
    });

    // Back to none; when the published member leaves, the next one by name takes the name.
    await pf.clusters.patch(EDGE, 'default', { spec: { dns: { routingPolicy: 'none' } } });
    await published({
      status: [{ dnsName: query, recordType: 'CNAME', targets: [cname('eu-west')], ttl: 30 }],
      dnsEndpoint: [{ dnsName: query, recordType: 'CNAME', targets: [cname('eu-west')], recordTTL: 30 }],
    });
    await new ResourceClient(pf.members.get('eu-west')?.client ?? pf.hub, Pods).patch(`${EDGE}-prometheus-0`, MEMBER_NAMESPACE, {
      metadata: { annotations: { [UNREADY_ANNOTATION]: 'true' } },
    });
    await published({
      status: [{ dnsName: query, recordType: 'CNAME', targets: [cname('us-east')], ttl: 30 }],
      dnsEndpoint: [{ dnsName: query, recordType: 'CNAME', targets: [cname('us-east')], recordTTL: 30 }],
    });
    await pf.clusters.delete(EDGE, 'default');
    await eventually(`${EDGE} gone`, async () => (await edge()) === undefined);
  });
});

describe('failing static', () => {
  const CLOUD = 'cloud-clusters';
  const MEMBERS = ['eu-west', 'us-east'];
  const cloud = () => pf.clusters.get(CLOUD, 'default');
  const cluster = (name: string) => {
    const found = pf.members.get(name)?.cluster;
    if (!found) throw new Error(`no member ${name}`);
    return found;
  };
  const urls = () => [pf.hubProcess.url, api.url];
  const published = async () => publishedDNS(pf.hub, await cloud(), urls(), auth);
  const dnsPublished = async () => conditionOf(await cloud(), 'DNSPublished');
  const failingStatic = async () => {
    const condition = await dnsPublished();
    return condition?.reason === 'FailingStatic' ? condition : undefined;
  };
  const offline = async (name: string) => conditionOf(await pf.memberClusters.get(name), 'Ready')?.reason === 'Offline';
  const events = async (reason: string) =>
    (await eventsAbout(pf.hub, { kind: 'PrometheusCluster', name: CLOUD, namespace: 'default' })).filter((event) => event.reason === reason);
  const hubMetric = async (name: string, filter: (labels: Readonly<Record<string, string>>) => boolean = () => true) =>
    total(await scrape(pf.hubProcess.url), name, filter);
  /** The targets in the status, the DNSEndpoint and both endpoints APIs, when all four agree. */
  const targetsEverywhere = async (): Promise<string[] | undefined> => {
    const all = await Promise.all([cloud().then(statusTargets), dnsEndpointTargets(pf.hub, CLOUD), ...urls().map((url) => apiTargets(url, CLOUD, auth))]);
    return all.every((targets) => JSON.stringify(targets) === JSON.stringify(all[0])) ? all[0] : undefined;
  };
  const both = async () => {
    const current = await cloud();
    return (
      conditionOf(current, 'DNSPublished')?.reason === 'Published' &&
      current?.status?.clusters?.every((entry) => entry.ready && !entry.stale) &&
      (await targetsEverywhere())?.length === 2
    );
  };

  it('changes no record while the hub is cut off from every member, says so, and publishes normally again when they are back', async () => {
    await eventually('both members published everywhere', both);
    const before = await published();
    const redisRevision = await redis.client().get('promfleet:endpoints:revision');
    // Every change the API-only replica takes in would reach this watcher.
    const watch = await connectSSE(`${api.url}/api/v1/endpoints/watch`, auth);
    await watch.next();
    for (const name of MEMBERS) cluster(name).pause();
    try {
      await eventually('both members Offline', async () => (await Promise.all(MEMBERS.map(offline))).every(Boolean), 60_000);
      const failing = await eventually('DNSPublished FailingStatic', failingStatic, 30_000);
      expect(failing).toMatchObject({
        status: 'True',
        message: expect.stringMatching(
          /^keeping the last known records of eu-west, us-east for query\.prometheus\.example\.com: 0 of 2 published or reachable members reached, below spec\.dns\.minHealthyPercent 50%/,
        ) as string,
      });
      // The hub looks again every few seconds while it fails static: let it look twice more.
      const reconciles = () => hubMetric('promfleet_reconcile_total', (labels) => labels.controller === 'prometheuscluster');
      const looked = await reconciles();
      await eventually('two more looks', async () => (await reconciles()) >= looked + 2, 60_000);

      expect(await published()).toEqual(before);
      expect(await redis.client().get('promfleet:endpoints:revision')).toBe(redisRevision);
      await expect(watch.next(100)).rejects.toThrow(/no event within/);
      const entries = (await cloud())?.status?.clusters?.map((entry) => [entry.name, entry.phase, entry.stale]).sort();
      expect(entries).toEqual([
        ['eu-west', 'Offline', true],
        ['us-east', 'Offline', true],
      ]);
      expect(await events('FailingStatic')).toContainEqual(
        expect.objectContaining({ type: 'Warning', message: expect.stringContaining('eu-west, us-east') as string }),
      );
      expect(await hubMetric('promfleet_dns_failing_static', (labels) => labels.name === CLOUD)).toBe(1);
    } finally {
      for (const name of MEMBERS) cluster(name).resume();
      watch.close();
    }
    await eventually('published normally again', both, 60_000);
    // The hub records the Event once the status that ends failing static is written: right after, not with it.
    const ended = await eventually('a FailingStaticEnded Event', async () => {
      const found = await events('FailingStaticEnded');
      return found.length > 0 ? found : undefined;
    });
    expect(ended.map((event) => event.type)).toContain('Normal');
    expect(await hubMetric('promfleet_dns_failing_static', (labels) => labels.name === CLOUD)).toBe(0);
    // The same records as before the cut, so the same revision on every replica.
    await eventually('the ETags from before the cut', async () => JSON.stringify((await published()).etags) === JSON.stringify(before.etags));
  });

  it('still takes a single member that goes down out of DNS within the bound, holds the last one, and lets it go under minHealthyPercent 0', async () => {
    await eventually('both members published everywhere', both, 60_000);
    const euAddress = entryOf(await cloud(), 'eu-west')?.addresses?.[0] ?? '';
    const heldBefore = (await events('FailingStatic')).length;
    cluster('us-east').pause();
    const pausedAt = Date.now();
    try {
      const memberOffline = await eventually(
        'us-east Offline',
        async () => {
          const member = await pf.memberClusters.get('us-east');
          return conditionOf(member, 'Ready')?.reason === 'Offline' ? member : undefined;
        },
        60_000,
      );
      await eventually('us-east out of the status, the DNSEndpoint and both APIs', async () => (await targetsEverywhere())?.join() === euAddress, 30_000);
      const offlineMs = Date.parse(conditionOf(memberOffline, 'Ready')?.lastTransitionTime ?? '') - pausedAt;
      const removedMs = (lastHubWrite(await dnsEndpointOf(pf.hub, CLOUD)) ?? Number.NaN) - pausedAt;
      console.log(
        `one member down: Offline after ${String(offlineMs)} ms, out of the DNSEndpoint after ${String(removedMs)} ms (bound: ${String(OFFLINE_AFTER_MS + PROBE_MS)} ms, then within a second; server times to the second)`,
      );
      expect(offlineMs).toBeLessThanOrEqual(OFFLINE_AFTER_MS + PROBE_MS);
      expect(removedMs).toBeLessThanOrEqual(OFFLINE_AFTER_MS + PROBE_MS + 2_000);
      // One of two reached is not below half: removed, never held.
      expect((await events('FailingStatic')).length).toBe(heldBefore);
      expect((await dnsPublished())?.reason).toBe('Published');

      // eu-west goes too: the last published member is held.
      cluster('eu-west').pause();
      const held = await eventually('eu-west held', failingStatic, 60_000);
      expect(held.message).toMatch(
        /^keeping the last known records of eu-west for query\.prometheus\.example\.com: 0 of 1 published or reachable members reached/,
      );
      expect(await targetsEverywhere()).toEqual([euAddress]);

      // minHealthyPercent changed on the running object: 0 never holds, so eu-west goes at once.
      await pf.clusters.patch(CLOUD, 'default', { spec: { dns: { minHealthyPercent: 0 } } });
      await eventually(
        'nothing published',
        async () => (await targetsEverywhere())?.length === 0 && (await dnsEndpointOf(pf.hub, CLOUD)) === undefined,
        30_000,
      );
      expect(await dnsPublished()).toMatchObject({ status: 'False', reason: 'NoReadyMembers' });
      await eventually('FailingStaticEnded', async () => (await events('FailingStaticEnded')).some((event) => event.message.includes('no ready member')));
    } finally {
      for (const name of MEMBERS) cluster(name).resume();
    }
    await pf.clusters.patch(CLOUD, 'default', { spec: { dns: { minHealthyPercent: null } } });
    await eventually('both back everywhere', both, 60_000);
    expect((await cloud())?.spec.dns.minHealthyPercent).toBe(50);
  });
});
