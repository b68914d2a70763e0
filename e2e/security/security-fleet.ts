import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { LABELS, type PrometheusCluster, buildMemberKubeconfig } from '@promfleet/api';
import { ResourceClient, Secrets, type KubeClient } from '@promfleet/kube/client';
import { createClusterPKI, ENTRIES, scratchRoot, startNodeProcess, startRedis, type ClusterPKI, type NodeProcess, type RedisServer } from '@promfleet/testkit';

import { monitorInvariants, type InvariantMonitor } from '../helpers/invariants.ts';
import { conditionOf, prometheusCluster } from '../helpers/observe.ts';
import { eventually, HUB_NAMESPACE, startPromfleet, type Promfleet } from '../helpers/promfleet-fleet.ts';
import { httpsRequest, type Reply } from './tls-client.ts';

/** Planted in hostile Secrets and handed to hostile members as the hub's token: it must surface nowhere. */
export const SENTINEL = 'sentinel-token-5c2e9b1d-never-log-me';
export const API_TOKEN = 'security-suite-api-token-0f3a';
export const MEMBERS = ['eu-west', 'us-east'] as const;

/** One fleet for the whole suite: a hub and an API-only replica, both on TLS with a token, two members, Redis. */
export interface SecurityFleet {
  readonly pf: Promfleet;
  readonly api: NodeProcess;
  readonly redis: RedisServer;
  readonly dir: string;
  readonly tokenFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The PKI of the first serving certificate, and of the one the rotation test puts in its place. */
  readonly tls: { readonly first: ClusterPKI; readonly rotated: ClusterPKI };
  readonly monitor: InvariantMonitor;
  /** GET on the hub or the API replica, trusting either serving CA, with the token unless told otherwise. */
  get(target: 'hub' | 'api', path: string, headers?: Record<string, string>): Promise<Reply>;
  steady(): Promise<PrometheusCluster | undefined>;
  /** Stores a credential Secret, bound to `member` unless `bound` is false, holding `kubeconfig`. */
  credential(member: string, kubeconfig: string, bound?: boolean): Promise<void>;
  stop(): Promise<void>;
}

const auth = { authorization: `Bearer ${API_TOKEN}` };

export async function startSecurityFleet(): Promise<SecurityFleet> {
  const dir = mkdtempSync(join(scratchRoot(), 'promfleet-security-'));
  const [first, rotated] = await Promise.all(['first', 'rotated'].map((name) => createClusterPKI(mkdtempSync(join(dir, `${name}-`)), `hub-${name}`)));
  if (!first || !rotated) throw new Error('no PKI');
  const tls = { first, rotated };
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(first.servingCertFile, certFile);
  copyFileSync(first.servingKeyFile, keyFile);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${API_TOKEN}\n`);
  const redis = await startRedis();
  const pf = await startPromfleet({
    members: MEMBERS.map((name) => ({ name, labels: { platform: 'cloud' } })),
    // Probes with room to spare on a shared machine: hostile members must not be what makes the real ones miss theirs.
    hub: {
      probeInterval: '3s',
      offlineAfter: '9s',
      deletionTimeout: '20s',
      redisUrl: redis.url,
      extraArgs: [`--api-token-file=${tokenFile}`],
      tls: { certFile, keyFile, ca: first.caCert },
    },
  });
  const api = await startNodeProcess({
    name: 'promfleet-hub-api',
    entry: ENTRIES.hub,
    args: [
      'api',
      `--redis-url=${redis.url}`,
      `--api-token-file=${tokenFile}`,
      `--tls-cert-file=${certFile}`,
      `--tls-key-file=${keyFile}`,
      '--api-watch-buffer=64Ki',
      '--api-max-watchers=20',
    ],
    tlsCA: first.caCert,
  });
  const base = { hub: pf.hubProcess.url, api: api.url };
  // Either CA: the hub and the API replica pick up a rotated certificate each on its own clock.
  const get = (target: 'hub' | 'api', path: string, headers: Record<string, string> = auth) =>
    httpsRequest(`${base[target]}${path}`, `${first.caCert}${rotated.caCert}`, headers);
  const steady = () => pf.clusters.get('steady', 'default');
  await pf.clusters.create(prometheusCluster('steady', { clusterSelector: { matchLabels: { platform: 'cloud' } }, baseDomain: 'steady.example.com' }));
  await eventually(
    'steady Ready on both members',
    async () => (await steady())?.status?.ready === MEMBERS.length && (await steady())?.status?.endpoints?.[0]?.targets.length === 2,
  );
  const healthy = async (target: 'hub' | 'api'): Promise<string | undefined> => {
    try {
      return (await get(target, '/healthz', {})).status === 200 ? undefined : `${target} /healthz is not 200`;
    } catch (error) {
      return `${target}: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  // What must hold while every attack runs: nothing crashes, and the healthy PrometheusCluster stays Ready and published.
  const monitor = monitorInvariants({
    'hub running and healthy': async () => (pf.hubProcess.process.running ? healthy('hub') : 'the hub exited'),
    'api replica running and healthy': async () => (api.process.running ? healthy('api') : 'the API replica exited'),
    'steady Ready and published on both members': async () => {
      const cluster = await steady();
      const ready = conditionOf(cluster, 'Ready')?.status === 'True' && cluster?.status?.endpoints?.[0]?.targets.length === 2;
      return ready ? undefined : JSON.stringify({ conditions: cluster?.status?.conditions, members: cluster?.status?.clusters });
    },
  });
  const secrets = new ResourceClient(pf.hub, Secrets);
  return {
    pf,
    api,
    redis,
    dir,
    tokenFile,
    certFile,
    keyFile,
    tls,
    monitor,
    get,
    steady,
    async credential(member, kubeconfig, bound = true) {
      await secrets.create({
        metadata: { name: `member-${member}`, namespace: HUB_NAMESPACE, ...(bound ? { labels: { [LABELS.member]: member } } : {}) },
        stringData: { kubeconfig },
      });
    },
    async stop() {
      await monitor.stop();
      await api.stop();
      await pf.stop();
      await redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A MemberCluster using the Secret `member-<name>` (or `secret`), with these labels. */
export async function registerMember(fleet: SecurityFleet, name: string, labels: Record<string, string> = {}, secret = `member-${name}`): Promise<void> {
  await fleet.pf.memberClusters.create({
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'MemberCluster',
    metadata: { name, labels },
    spec: { kubeconfigSecretRef: { name: secret, namespace: HUB_NAMESPACE, key: 'kubeconfig' }, namespace: 'monitoring' },
  });
}

/** A kubeconfig for a hostile member server, as join would write it, with `token`. */
export function kubeconfigFor(member: string, server: string, ca: string, token: string): string {
  return buildMemberKubeconfig({ member, server, ca, token, namespace: 'monitoring' });
}

/** The admin client of a real member. */
export function memberAdmin(fleet: SecurityFleet, name: (typeof MEMBERS)[number]): KubeClient {
  const member = fleet.pf.members.get(name);
  if (!member) throw new Error(`no member ${name}`);
  return member.client;
}
