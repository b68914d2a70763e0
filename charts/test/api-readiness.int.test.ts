import { ENTRIES, eventually, startNodeProcess, startRedis, type NodeProcess, type RedisServer } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The hub's real Redis writer, as the leader runs it (@promfleet/hub does not export its stores).
import { RedisEndpointStore } from '../../packages/hub/src/endpoints/redis-store.ts';
import { renderChart } from './helpers/helm.ts';
import { isApiOnly, ofKind, podSpec, type Container } from './helpers/objects.ts';

// The API-only Deployment as the chart renders it, run as its container would be (the chart's
// args; only the port is this test's) and probed where the kubelet would probe it: an API
// replica that starts while Redis is down must stay out of its Service, rather than serve an
// empty list that DNS automation would read as "no records", and must not be restarted for it.

let redis: RedisServer;
let api: NodeProcess | undefined;
let writer: RedisEndpointStore | undefined;
let probes: { readiness: string; liveness: string };

beforeAll(async () => {
  redis = await startRedis();
  await redis.kill();
  const objects = await renderChart('promfleet-hub', { set: { apiServer: { enabled: true }, redis: { url: redis.url } } });
  const deployment = ofKind(objects, 'Deployment').find(isApiOnly);
  if (!deployment) throw new Error('no API-only Deployment rendered');
  const container = podSpec(deployment).containers[0] as Container & { ports: { name: string; containerPort: number }[] };
  probes = { readiness: container.readinessProbe?.httpGet?.path ?? '', liveness: container.livenessProbe?.httpGet?.path ?? '' };
  const args = (container.args ?? []).filter((arg) => !arg.startsWith('--listen='));
  api = await startNodeProcess({ name: 'promfleet-hub-api', entry: ENTRIES.hub, args, readyPath: probes.liveness });
});

afterAll(async () => {
  await writer?.stop();
  await api?.stop();
  await redis.dispose();
});

const status = async (path: string): Promise<number> => (await fetch(`${api?.url ?? ''}${path}`)).status;

describe('promfleet-hub API-only replica readiness', () => {
  it('is not ready and answers 503 while Redis is down at start, and while Redis holds nothing the hub published; ready once it does', async () => {
    expect(probes.readiness).toBe('/readyz');
    expect(await status(probes.readiness)).toBe(503);
    const refused = await fetch(`${api?.url ?? ''}/api/v1/endpoints`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({
      error: expect.stringMatching(/^no endpoint records loaded from Redis yet \(unreachable since .+\): not serving an empty list in their place$/) as string,
    });
    // Alive all along: the kubelet must not restart it for waiting.
    expect(await status(probes.liveness)).toBe(200);

    // Redis back, empty (no persistence): still nothing the hub published.
    await redis.start();
    const waiting = await eventually('the replica connected to Redis', async () => {
      const text = await (await fetch(`${api?.url ?? ''}${probes.readiness}?verbose`)).text();
      return text.includes('the hub has published nothing there yet') ? text : undefined;
    });
    expect(waiting).toContain('[-]endpoint-store failed');
    expect(await status(probes.readiness)).toBe(503);
    expect(await status('/api/v1/endpoints')).toBe(503);

    // The hub's leader publishes: ready, serving what it published.
    writer = new RedisEndpointStore({ url: redis.url });
    await writer.start();
    await writer.replaceAll([
      { namespace: 'platform', name: 'cloud', endpoints: [{ dnsName: 'query.prometheus.example.com', recordType: 'A', targets: ['192.0.2.10'], ttl: 30 }] },
    ]);
    await eventually('ready', async () => (await status(probes.readiness)) === 200);
    const served = await fetch(`${api?.url ?? ''}/api/v1/endpoints`);
    expect(served.status).toBe(200);
    expect(((await served.json()) as { items: { name: string }[] }).items.map((item) => item.name)).toEqual(['cloud']);

    // Redis away again after that: still ready (degraded), serving its last copy.
    await redis.kill();
    await eventually('degraded', async () => (await (await fetch(`${api?.url ?? ''}${probes.readiness}`)).text()).includes('degraded'));
    expect(await status(probes.readiness)).toBe(200);
    expect(await status('/api/v1/endpoints')).toBe(200);
  });
});
