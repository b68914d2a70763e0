// pnpm e2e:soak [--minutes=30] [--seed=N] [--round=60]: random spec changes, member relabels,
// Prometheus pods going unready and member API server outages (stopped or hung) on a local fleet,
// with invariants checked all the time and after every round's convergence. Not part of CI: it
// runs for half an hour. Exits 1 when any invariant was violated.
import { parseArgs } from 'node:util';

import { matchesLabelSelector, type LabelSelector, type PrometheusCluster } from '@promfleet/api';
import { Pods, ResourceClient } from '@promfleet/kube/client';
import { startRedis, UNREADY_ANNOTATION } from '@promfleet/testkit';

import { setPrometheusReady } from '../helpers/actions.ts';
import { monitorInvariants } from '../helpers/invariants.ts';
import { healthy, prometheusCluster } from '../helpers/observe.ts';
import { eventually, MEMBER_NAMESPACE, startPromfleet } from '../helpers/promfleet-fleet.ts';
import { superviseOperators } from '../helpers/supervisor.ts';
import { convergedProblems, targetsOutsideReady } from './fleet-invariants.ts';
import { randomSource } from './random.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '30' }, seed: { type: 'string' }, round: { type: 'string', default: '60' } },
});
const minutes = Number(values.minutes);
const roundSeconds = Number(values.round);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!(minutes > 0) || !(roundSeconds > 0) || !Number.isInteger(seed)) {
  console.error('usage: pnpm e2e:soak [--minutes=30] [--seed=<integer>] [--round=<seconds between convergence checks>]');
  process.exit(2);
}
const random = randomSource(seed);
const started = Date.now();
const log = (line: string) => {
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
};

const labels = new Map<string, Record<string, string>>([
  ['eu-west', { platform: 'cloud', region: 'eu-west' }],
  ['us-east', { platform: 'cloud', region: 'us-east' }],
  ['ap-south', { platform: 'onprem', region: 'ap-south' }],
]);
const SELECTORS: Record<string, LabelSelector> = {
  'soak-cloud': { matchLabels: { platform: 'cloud' } },
  'soak-onprem': { matchLabels: { platform: 'onprem' } },
  'soak-regions': { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'ap-south'] }] },
};
const names = Object.keys(SELECTORS);
const selected = () =>
  new Map(names.map((name) => [name, new Set([...labels].filter(([, set]) => matchesLabelSelector(SELECTORS[name] ?? {}, set)).map(([member]) => member))]));

log(`seed ${String(seed)}: ${String(minutes)} min, converging every ${String(roundSeconds)} s; starting a hub, Redis and three members`);
const redis = await startRedis();
const pf = await startPromfleet({
  members: [...labels].map(([name, set]) => ({ name, labels: set })),
  hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '30s', redisUrl: redis.url },
});
// An outage longer than the operator's Lease renew deadline makes it exit, as designed: restart it like a Deployment would.
const supervisor = superviseOperators(pf);
const members = new Map([...pf.members].map(([name, member]) => [name, member.client]));
const memberNames = [...members.keys()];
const counts = new Map<string, number>();
const count = (action: string) => counts.set(action, (counts.get(action) ?? 0) + 1);
const out = new Set<string>();
const pending: Promise<void>[] = [];

async function outage(member: string): Promise<void> {
  const { cluster } = pf.members.get(member) ?? {};
  if (!cluster) return;
  const seconds = random.int(3, 20);
  const hung = random.chance(0.5);
  out.add(member);
  count(hung ? 'member API server hung' : 'member API server stopped');
  log(`${member}: API server ${hung ? 'hung' : 'stopped'} for ${String(seconds)} s`);
  if (hung) cluster.pause();
  else await cluster.stop();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  if (hung) cluster.resume();
  else await cluster.start();
  out.delete(member);
}

async function unreadyPod(member: string, cluster: string): Promise<void> {
  count('Prometheus pod unready');
  try {
    await setPrometheusReady(members.get(member) ?? pf.hub, cluster, false);
    await new Promise((resolve) => setTimeout(resolve, random.int(1, 8) * 1000));
    await setPrometheusReady(members.get(member) ?? pf.hub, cluster, true);
  } catch {
    // The pod may be gone (deselected) or its API server out: restoreReadiness() undoes it at the round's end.
  }
}

/** Every pod the soak made unready, ready again: the faults end before convergence is judged. */
async function restoreReadiness(): Promise<void> {
  for (const [member, client] of members) {
    const pods = new ResourceClient(client, Pods);
    for (const pod of (await pods.list({ namespace: MEMBER_NAMESPACE })).items) {
      if (pod.metadata?.annotations?.[UNREADY_ANNOTATION] === undefined) continue;
      log(`${member}: ${pod.metadata.name ?? ''} ready again (its flap was cut short by an outage)`);
      await pods.patch(pod.metadata.name ?? '', MEMBER_NAMESPACE, { metadata: { annotations: { [UNREADY_ANNOTATION]: null } } });
    }
  }
}

/** Why a PrometheusCluster has not settled: each entry that is not ready, fresh and current. */
function unsettled(cluster: PrometheusCluster, expected: ReadonlySet<string>): string {
  const generation = cluster.metadata.generation;
  const entries = cluster.status?.clusters ?? [];
  const listed = entries.map((entry) => entry.name);
  const off = entries.filter((entry) => !entry.ready || entry.stale || entry.observedGeneration !== generation);
  return `${cluster.metadata.name} (generation ${String(generation)}, observed ${String(cluster.status?.observedGeneration)}; expected ${[...expected].sort().join('+') || 'none'}, listed ${listed.join('+') || 'none'}${off.length > 0 ? `; ${off.map((entry) => `${entry.name} ${entry.phase} ready=${String(entry.ready)} stale=${String(entry.stale)} at ${String(entry.observedGeneration)}${entry.message ? ` (${entry.message})` : ''}`).join(', ')}` : ''})`;
}

async function act(): Promise<void> {
  const name = random.pick(names);
  const member = random.pick(memberNames);
  const action = random.int(0, 9);
  if (action <= 3) {
    count('spec change');
    await pf.clusters.patch(name, 'default', {
      spec: random.chance(0.5) ? { dns: { ttl: random.int(30, 300) } } : { externalLabels: { soak: String(random.int(0, 1000)) } },
    });
  } else if (action <= 5) {
    const set = labels.get(member) ?? {};
    set.platform = set.platform === 'cloud' ? 'onprem' : 'cloud';
    count('member relabel');
    log(`${member}: platform=${set.platform}`);
    await pf.memberClusters.patch(member, undefined, { metadata: { labels: { platform: set.platform } } });
  } else if (action <= 7) {
    if (!out.has(member)) pending.push(unreadyPod(member, name));
  } else if (out.size < 2 && !out.has(member)) {
    pending.push(outage(member));
  }
}

const monitor = monitorInvariants({
  'hub running and healthy': async () => (pf.hubProcess.process.running && (await healthy(pf.hubProcess.url)) ? undefined : 'the hub is down'),
  'DNS targets only from ready members': async () => {
    const problems = (await pf.clusters.list({ namespace: 'default' })).items.map(targetsOutsideReady).filter(Boolean);
    return problems.length === 0 ? undefined : problems.join('; ');
  },
});
const roundProblems: string[] = [];
let rounds = 0;

try {
  await Promise.all(
    names.map((name) =>
      pf.clusters.create(prometheusCluster(name, { clusterSelector: SELECTORS[name], baseDomain: `${name}.example.com`, highlyAvailable: true })),
    ),
  );
  while (Date.now() - started < minutes * 60_000) {
    const roundEnds = Date.now() + roundSeconds * 1000;
    while (Date.now() < roundEnds) {
      try {
        await act();
      } catch (error) {
        // A write can fail while the hub's API server is busy; the soak does not fault the hub.
        log(`action failed: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, random.int(500, 4000)));
    }
    await Promise.all(pending.splice(0));
    await eventually(
      'readiness restored',
      async () => {
        await restoreReadiness();
        return true;
      },
      60_000,
      1_000,
    );
    rounds++;
    const expected = selected();
    try {
      const tookMs = Date.now();
      await eventually(
        `round ${String(rounds)} converged`,
        async () => {
          const clusters = (await pf.clusters.list({ namespace: 'default' })).items;
          const notYet = clusters.filter((cluster) => !settled(cluster, expected.get(cluster.metadata.name)?.size ?? 0));
          if (notYet.length > 0)
            throw new Error(`not settled: ${notYet.map((cluster) => unsettled(cluster, expected.get(cluster.metadata.name) ?? new Set())).join('; ')}`);
          const problems = await convergedProblems({ hub: pf.hub, hubUrl: pf.hubProcess.url, members, selected: expected }, clusters);
          if (problems.length > 0) throw new Error(problems.join('; '));
          return true;
        },
        180_000,
        500,
      );
      log(
        `round ${String(rounds)}: converged in ${String(Date.now() - tookMs)} ms; ${[...expected].map(([name, set]) => `${name} on ${[...set].join('+') || 'none'}`).join(', ')}`,
      );
    } catch (error) {
      roundProblems.push(`round ${String(rounds)}: ${String(error)}`);
      log(`round ${String(rounds)}: NOT converged: ${String(error)}`);
    }
  }
} finally {
  await Promise.all(pending.splice(0));
  await monitor.stop();
  await supervisor.stop();
  await pf.stop();
  await redis.dispose();
}

/** Every selected member's replica ready at the current generation, nothing else listed. */
function settled(cluster: PrometheusCluster, selectedCount: number): boolean {
  const entries = cluster.status?.clusters ?? [];
  return (
    cluster.status?.observedGeneration === cluster.metadata.generation &&
    entries.length === selectedCount &&
    entries.every((entry) => entry.ready && !entry.stale && entry.observedGeneration === cluster.metadata.generation)
  );
}

const violations = [...monitor.violations, ...roundProblems];
console.log(
  `\nsoak seed ${String(seed)}: ${String(Math.round((Date.now() - started) / 60_000))} min, ${String(rounds)} rounds, invariants checked ${String(monitor.rounds)} times`,
);
for (const [action, n] of [...counts].sort()) console.log(`  ${action}: ${String(n)}`);
console.log(
  `  replica operator restarts: ${String(supervisor.restarts.length)}${supervisor.restarts.length > 0 ? ` (${supervisor.restarts.join(', ')})` : ''}`,
);
console.log(violations.length === 0 ? 'no invariant violated' : `${String(violations.length)} violations:\n${violations.map((v) => `  ${v}`).join('\n')}`);
process.exitCode = violations.length === 0 ? 0 : 1;
