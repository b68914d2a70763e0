import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { API_VERSION, type PrometheusCluster } from '@promfleet/api';
import { DNSEndpoints } from '@promfleet/hub';
import { Pods, ResourceClient } from '@promfleet/kube/client';
import { connectSSE, ENTRIES, startNodeProcess, startRedis, UNREADY_ANNOTATION, type NodeProcess, type RedisServer } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';

const TOKEN = 'dns-automation-token';

let pf: Promfleet;
let redis: RedisServer;
let api: NodeProcess;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  redis = await startRedis();
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'promfleet-token-')), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  pf = await startPromfleet({
    members: [
      { name: 'eu-west', labels: { platform: 'cloud' } },
      { name: 'us-east', labels: { platform: 'cloud' } },
    ],
    hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '20s', redisUrl: redis.url, extraArgs: [`--api-token-file=${tokenFile}`] },
  });
  // An API-only replica: Redis and a token file, no Kubernetes credentials.
  api = await startNodeProcess({ name: 'promfleet-hub-api', entry: ENTRIES.hub, args: ['api', `--redis-url=${redis.url}`, `--api-token-file=${tokenFile}`] });
  await pf.clusters.create({
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud-clusters', namespace: 'default' },
    spec: { clusterSelector: { matchLabels: { platform: 'cloud' } }, configMap: 'prometheus-config', bucketSecret: 's3-bucket', baseDomain: 'prometheus.example.com' },
  } as unknown as PrometheusCluster);
  await eventually('both members ready', async () => (await pf.clusters.get('cloud-clusters', 'default'))?.status?.ready === 2);
});

afterAll(async () => {
  await api.stop();
  await pf.stop();
  await redis.stop();
});

async function targets(url: string): Promise<string[]> {
  const response = await fetch(`${url}/api/v1/endpoints/default/cloud-clusters`, { headers: auth });
  if (!response.ok) return [];
  const body = (await response.json()) as { endpoints: { targets: string[] }[] };
  return [...(body.endpoints[0]?.targets ?? [])].sort();
}

const dnsTargets = async () => [...((await new ResourceClient(pf.hub, DNSEndpoints).get('cloud-clusters', 'default'))?.spec?.endpoints?.[0]?.targets ?? [])].sort();

/** Marks a member's Prometheus pod unready (or ready again) through the fake kubelet. */
async function setPrometheusReady(member: string, ready: boolean): Promise<void> {
  const client = pf.members.get(member)?.client;
  if (!client) throw new Error(`no member ${member}`);
  await new ResourceClient(client, Pods).patch('cloud-clusters-prometheus-0', MEMBER_NAMESPACE, { metadata: { annotations: { [UNREADY_ANNOTATION]: ready ? null : 'true' } } });
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
    const change = await eventually('an SSE change on the API-only replica', async () => {
      const event = await watch.next(15_000);
      return event.event === 'change' && !event.data.includes(euAddress) ? event : undefined;
    }, 30_000, 0);
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
    await eventually('the API replica current again', async () => {
      const now = await targets(api.url);
      return now.length === 1 && !now.includes(usAddress);
    }, 60_000);
    await eventually('healthy again', async () => !(await (await fetch(`${api.url}/readyz`)).text()).includes('degraded'));
    const watch = await connectSSE(`${api.url}/api/v1/endpoints/watch`, auth);
    await watch.next();
    await setPrometheusReady('us-east', true);
    await eventually('watchers resume: us-east back through SSE', async () => {
      const event = await watch.next(15_000);
      return event.data.includes(usAddress) ? event : undefined;
    }, 30_000, 0);
    watch.close();
  });
});
