// pnpm demo [--once]: a local hub and three members with promfleet installed, the example
// PrometheusCluster, and a live view of the fleet. --once prints the converged state and exits.
import { execFileSync } from 'node:child_process';

import { KubeAssetsMissingError, resolveKubeAssets, startPromfleet, startRedis, type Promfleet, type RedisServer } from '@promfleet/testkit';
import { Namespaces, ResourceClient } from '@promfleet/kube/client';

import { CLOUD_CLUSTERS, MEMBERS, PLATFORM_NAMESPACE } from './example.ts';
import { renderFleet } from './view.ts';

const once = process.argv.includes('--once');
const say = (line: string): void => {
  console.log(`• ${line}`);
};

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function converged(pf: Promfleet, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const cluster = await pf.clusters.get(CLOUD_CLUSTERS.metadata.name, PLATFORM_NAMESPACE);
    const { status } = cluster ?? {};
    if (status?.phase === 'Ready' && status.ready === 2 && (status.endpoints?.[0]?.targets.length ?? 0) === 2 && status.storeEndpoints?.length === 2)
      return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function snapshot(pf: Promfleet): Promise<string> {
  const [members, clusters] = await Promise.all([pf.memberClusters.list(), pf.clusters.list()]);
  return renderFleet(members.items, clusters.items, new Date());
}

async function main(): Promise<number> {
  try {
    // Found, or unpacked or rebuilt as the tests do: a fresh checkout needs no other step.
    process.env.KUBE_ASSETS = (await resolveKubeAssets({ obtain: true })).dir;
  } catch (error) {
    if (error instanceof KubeAssetsMissingError) {
      console.error(`demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
  let redis: RedisServer | undefined;
  let pf: Promfleet | undefined;
  // An object, not a let: TypeScript would narrow a boolean that a signal handler flips.
  const state = { stopping: false };
  const stop = async (): Promise<void> => {
    if (state.stopping) return;
    state.stopping = true;
    say('stopping every process');
    await pf?.stop();
    await redis?.dispose();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    if (hasRedis()) {
      redis = await startRedis();
      say(`Redis at ${redis.url} for the endpoint store`);
    } else {
      say('no redis-server on PATH: the endpoint store stays in memory');
    }
    pf = await startPromfleet({ members: MEMBERS, hub: { probeInterval: '5s', offlineAfter: '20s', redisUrl: redis?.url }, onStep: say });
    await new ResourceClient(pf.hub, Namespaces).create({ metadata: { name: PLATFORM_NAMESPACE } });
    await pf.clusters.create(CLOUD_CLUSTERS);
    say(
      `created PrometheusCluster ${PLATFORM_NAMESPACE}/cloud-clusters (platform=cloud, highlyAvailable, baseDomain prometheus.example.com, storeAPI LoadBalancer)`,
    );
    say('waiting for both cloud members to run their replicas, publish DNS records and report their StoreAPI');
    const ok = await converged(pf, 180_000);
    const api = `${pf.hubProcess.url}/api/v1/endpoints`;
    const footer = [
      '',
      `endpoints API: ${api}   (watch: curl -N ${api}/watch)`,
      `store endpoints: ${pf.hubProcess.url}/api/v1/stores   (promfleet endpoints --format thanos-sd --api ${pf.hubProcess.url})`,
      `hub kubeconfig: ${pf.hubCluster.kubeconfigFile}   (kubectl get promfleet -A)`,
      ...[...pf.members.entries()].map(([name, member]) => `${name} kubeconfig: ${member.cluster.kubeconfigFile}   (kubectl get pfr,pods -n monitoring)`),
    ].join('\n');
    if (once) {
      console.log(`\n${await snapshot(pf)}\n${footer}\n`);
      if (!ok) console.error('demo: the fleet did not converge within 3 minutes');
      await stop();
      return ok ? 0 : 1;
    }
    say('converged; live view below (Ctrl-C stops every process)');
    while (!state.stopping) {
      const view = await snapshot(pf);
      process.stdout.write(`\x1b[2J\x1b[H${view}\n${footer}\n\nrefreshing every 2 s — Ctrl-C to stop\n`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    return 0;
  } catch (error) {
    // Ctrl-C closes the clients under the live view: that is the end, not an error.
    if (state.stopping) return 0;
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    await stop();
    return 1;
  }
}

process.exitCode = await main();
