import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { API_VERSION, type PrometheusCluster } from '@promfleet/api';
import { ConfigMaps, ResourceClient } from '@promfleet/kube/client';
import { runCli } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';
import { superviseOperators, type OperatorSupervisor } from './helpers/supervisor.ts';

const TOKEN = 'global-query-token';
const CLOUD = 'cloud-clusters';
const SD = `${CLOUD}-store-endpoints`;
const MEMBERS = ['eu-west', 'us-east'] as const;
// Probes every 2 s, Offline after 10 s, as in the DNS suite: an offline member leaves the store list within that bound.
const PROBE_MS = 2_000;
const OFFLINE_AFTER_MS = 10_000;

let pf: Promfleet;
let supervisor: OperatorSupervisor;
let tokenFile: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  tokenFile = join(mkdtempSync(join(tmpdir(), 'promfleet-token-')), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  pf = await startPromfleet({
    members: [
      { name: 'eu-west', labels: { platform: 'cloud', region: 'eu' } },
      { name: 'us-east', labels: { platform: 'cloud', region: 'us' } },
    ],
    hub: {
      probeInterval: `${String(PROBE_MS / 1000)}s`,
      offlineAfter: `${String(OFFLINE_AFTER_MS / 1000)}s`,
      deletionTimeout: '20s',
      extraArgs: [`--api-token-file=${tokenFile}`],
    },
  });
  supervisor = superviseOperators(pf);
  await pf.clusters.create({
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name: CLOUD, namespace: 'default' },
    spec: {
      clusterSelector: { matchLabels: { platform: 'cloud' } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      storeAPI: { expose: 'LoadBalancer' },
    },
  } as unknown as PrometheusCluster);
});

afterAll(async () => {
  rmSync(dirname(tokenFile), { recursive: true, force: true });
  await supervisor.stop();
  await pf.stop();
});

const configMaps = () => new ResourceClient(pf.hub, ConfigMaps);
const cloud = () => pf.clusters.get(CLOUD, 'default');
/** The targets of the file-SD ConfigMap, as the global Query would read them. */
const sdTargets = async (): Promise<string[] | undefined> => {
  const text = (await configMaps().get(SD, 'default'))?.data?.['stores.json'];
  return text === undefined ? undefined : (JSON.parse(text) as { targets: string[] }[]).flatMap((group) => group.targets);
};
const apiStores = async () => {
  const response = await fetch(`${pf.hubProcess.url}/api/v1/stores`, { headers: auth });
  return {
    etag: response.headers.get('etag'),
    body: (await response.json()) as { revision: string; items: { namespace: string; name: string; targets: { member: string; address: string }[] }[] },
  };
};
/** Member → addresses in the status, the ConfigMap and the API, when all three agree. */
const storesEverywhere = async (): Promise<{ member: string; address: string }[] | undefined> => {
  const status = ((await cloud())?.status?.storeEndpoints ?? []).map(({ member, address }) => ({ member, address }));
  const [sd, api] = [await sdTargets(), (await apiStores()).body.items.find((item) => item.name === CLOUD)?.targets ?? []];
  const addresses = status.map((endpoint) => endpoint.address);
  const agree = JSON.stringify(sd) === JSON.stringify(addresses) && JSON.stringify(api) === JSON.stringify(status);
  return agree ? status : undefined;
};

describe('a global Thanos Query fed from the hub', () => {
  it('lists the StoreAPI address each member reports, in the status, the file-SD ConfigMap, the API and the CLI alike', async () => {
    const stores = await eventually(
      'both members in every list',
      async () => {
        const found = await storesEverywhere();
        return found?.length === 2 ? found : undefined;
      },
      90_000,
    );
    expect(stores.map((endpoint) => endpoint.member)).toEqual([...MEMBERS]);
    // The fake load balancer's address on the gRPC port, one per member.
    for (const { address } of stores) expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+:10901$/);
    expect(new Set(stores.map((endpoint) => endpoint.address)).size).toBe(2);
    for (const member of MEMBERS) {
      const entry = (await cloud())?.status?.clusters?.find((e) => e.name === member);
      expect(entry?.storeAPI).toEqual(stores.filter((s) => s.member === member).map((s) => s.address));
    }

    const { etag } = await apiStores();
    expect((await fetch(`${pf.hubProcess.url}/api/v1/stores`, { headers: { ...auth, 'if-none-match': etag ?? '' } })).status).toBe(304);
    expect((await fetch(`${pf.hubProcess.url}/api/v1/stores`)).status).toBe(401);

    for (const source of [['--api', pf.hubProcess.url, `--api-token-file=${tokenFile}`], [`--hub-kubeconfig=${pf.hubCluster.kubeconfigFile}`]]) {
      const run = await runCli(['endpoints', '--format', 'thanos-sd', ...source]);
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual([{ targets: stores.map((endpoint) => endpoint.address) }]);
    }

    // Nothing changed: a reconcile (a label on the cluster) leaves the ConfigMap unwritten.
    const before = (await configMaps().get(SD, 'default'))?.metadata?.resourceVersion;
    await pf.clusters.patch(CLOUD, 'default', { metadata: { labels: { touched: 'yes' } } });
    await eventually('the hub reconciled the label change', async () => ((await cloud())?.metadata.labels?.touched === 'yes' ? true : undefined));
    await pf.clusters.patch(CLOUD, 'default', { metadata: { annotations: { touched: 'again' } } });
    await eventually('a second reconcile settled', async () => ((await cloud())?.metadata.annotations?.touched === 'again' ? true : undefined));
    expect((await configMaps().get(SD, 'default'))?.metadata?.resourceVersion).toBe(before);
  });

  it('takes an offline member out of every list within the DNS bound, and back when it returns', async () => {
    const all = await eventually('both listed', async () => ((await storesEverywhere())?.length === 2 ? await storesEverywhere() : undefined), 60_000);
    const euOnly = all.filter((endpoint) => endpoint.member === 'eu-west');
    const cluster = pf.members.get('us-east')?.cluster;
    if (!cluster) throw new Error('no us-east');
    cluster.pause();
    try {
      await eventually(
        'us-east out of the status, the ConfigMap and the API',
        async () => (JSON.stringify(await storesEverywhere()) === JSON.stringify(euOnly) ? true : undefined),
        60_000,
      );
      expect((await cloud())?.status?.clusters?.find((e) => e.name === 'us-east')).toMatchObject({ phase: 'Offline', stale: true });
    } finally {
      cluster.resume();
    }
    await eventually('us-east back in every list', async () => (JSON.stringify(await storesEverywhere()) === JSON.stringify(all) ? true : undefined), 90_000);
  });

  it('follows spec.storeAPI changed to a gRPC Ingress with a host per member', async () => {
    await pf.clusters.patch(CLOUD, 'default', {
      spec: { storeAPI: { expose: 'Ingress', host: 'store-{{ member.name }}.{{ member.labels.region }}.example.com' } },
    });
    const stores = await eventually(
      'each member at its own Ingress host',
      async () => {
        const found = await storesEverywhere();
        return found?.every((endpoint) => endpoint.address.endsWith(':443')) && found.length === 2 ? found : undefined;
      },
      90_000,
    );
    expect(stores).toEqual([
      { member: 'eu-west', address: 'store-eu-west.eu.example.com:443' },
      { member: 'us-east', address: 'store-us-east.us.example.com:443' },
    ]);
  });

  it('drops the list when spec.storeAPI goes, brings it back when it returns, and removes it with the PrometheusCluster', async () => {
    await pf.clusters.patch(CLOUD, 'default', { spec: { storeAPI: null } });
    await eventually(
      'no ConfigMap, no API entry, no storeEndpoints',
      async () => {
        const gone = (await configMaps().get(SD, 'default')) === undefined && (await cloud())?.status?.storeEndpoints === undefined;
        return gone && (await apiStores()).body.items.length === 0 ? true : undefined;
      },
      90_000,
    );
    await pf.clusters.patch(CLOUD, 'default', { spec: { storeAPI: { expose: 'LoadBalancer' } } });
    await eventually('both members listed again', async () => ((await storesEverywhere())?.length === 2 ? true : undefined), 90_000);
    await pf.clusters.delete(CLOUD, 'default');
    await eventually(
      'the ConfigMap gone and the API without the cluster',
      async () => {
        const gone = (await configMaps().get(SD, 'default')) === undefined && (await cloud()) === undefined;
        return gone && (await apiStores()).body.items.length === 0 ? true : undefined;
      },
      90_000,
    );
  });
});
