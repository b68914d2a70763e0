import { ANNOTATIONS, PrometheusReplicas, type PrometheusCluster, type PrometheusReplica } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';
import { BAD_IMAGE_MARKER } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { conditionOf, entryOf, eventsAbout, prometheusCluster, statusTargets } from './helpers/observe.ts';
import { eventually, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';

// Three members: a canary in eu, another eu member and one in us. One PrometheusCluster, rolled
// out progressively: canary wave first, one member at a time.
const NAME = 'fleet';
const MEMBERS = ['canary', 'eu-2', 'us-1'] as const;
let pf: Promfleet;

beforeAll(async () => {
  pf = await startPromfleet({
    members: [
      { name: 'canary', labels: { region: 'eu', tier: 'canary' } },
      { name: 'eu-2', labels: { region: 'eu' } },
      { name: 'us-1', labels: { region: 'us' } },
    ],
    hub: { probeInterval: '2s', offlineAfter: '20s' },
  });
});

afterAll(async () => {
  await pf.stop();
});

const hubStatus = async (): Promise<PrometheusCluster | undefined> => pf.clusters.get(NAME, 'default');
const replicaIn = (member: string): Promise<PrometheusReplica | undefined> =>
  new ResourceClient(pf.members.get(member)?.client ?? pf.hub, PrometheusReplicas).get(NAME, MEMBER_NAMESPACE);
const revisionOf = (replica: PrometheusReplica | undefined) => replica?.metadata.annotations?.[ANNOTATIONS.revision];
const running = (replica: PrometheusReplica | undefined) =>
  replica?.status?.phase === 'Running' && replica.status.observedGeneration === replica.metadata.generation;

/** The rollout of the current generation, once the hub has looked at it and it is in `state`. */
async function rolloutIn(state: string, timeoutMs = 90_000): Promise<PrometheusCluster> {
  return eventually(
    `rollout ${state}`,
    async () => {
      const cluster = await hubStatus();
      return cluster?.status?.observedGeneration === cluster?.metadata.generation && cluster?.status?.rollout?.state === state ? cluster : undefined;
    },
    timeoutMs,
  );
}

/** Waits for the rollout to complete, checking on every look that at most one member is moved and not yet Running. */
async function watchRollout(target: string): Promise<{ mostUpdatingAtOnce: number; complete: PrometheusCluster }> {
  let most = 0;
  const complete = await eventually(
    'rollout Complete with every member Running',
    async () => {
      const replicas = await Promise.all(MEMBERS.map(replicaIn));
      most = Math.max(most, replicas.filter((replica) => revisionOf(replica) === target && !running(replica)).length);
      const cluster = await hubStatus();
      return cluster?.status?.rollout?.state === 'Complete' && cluster.status.rollout.targetRevision === target && replicas.every(running)
        ? cluster
        : undefined;
    },
    120_000,
    50,
  );
  return { mostUpdatingAtOnce: most, complete };
}

const movedAt = async (member: string) => Date.parse((await replicaIn(member))?.metadata.annotations?.[ANNOTATIONS.revisionTime] ?? '');

describe('fleet rollout control on three members', () => {
  let first = '';

  it('gives one region more retention and its own region label from the member label', async () => {
    await pf.clusters.create(
      prometheusCluster(NAME, {
        clusterSelector: {},
        baseDomain: 'fleet.example.com',
        externalLabels: { region: '{{ member.labels.region }}' },
        overrides: [{ name: 'eu-retention', clusterSelector: { matchLabels: { region: 'eu' } }, template: { metrics: { retention: '30d' } } }],
        rollout: { strategy: 'Progressive', maxUnavailable: 1, waves: [{ name: 'canary', clusterSelector: { matchLabels: { tier: 'canary' } } }] },
      }),
    );
    // New members get the newest revision at once, whatever the strategy.
    const done = await rolloutIn('Complete');
    first = done.status?.rollout?.targetRevision ?? '';
    expect(first).toMatch(/^fleet-[0-9a-f]{10}$/);
    const specs = Object.fromEntries(await Promise.all(MEMBERS.map(async (member) => [member, (await replicaIn(member))?.spec] as const)));
    expect(specs.canary).toMatchObject({ metrics: { retention: '30d' }, externalLabels: { region: 'eu' } });
    expect(specs['eu-2']).toMatchObject({ metrics: { retention: '30d' }, externalLabels: { region: 'eu' } });
    expect(specs['us-1']).toMatchObject({ metrics: { retention: '24h' }, externalLabels: { region: 'us' } });
    expect(entryOf(done, 'eu-2')).toMatchObject({ overrides: ['eu-retention'], revision: first });
    expect(entryOf(done, 'us-1')?.overrides).toBeUndefined();
  });

  it('rolls a change out canary first, one member at a time', async () => {
    await pf.clusters.patch(NAME, 'default', { spec: { externalLabels: { team: 'sre' } } });
    const target = await eventually('a new target revision', async () => {
      const cluster = await hubStatus();
      const revision = cluster?.status?.rollout?.targetRevision;
      return cluster?.status?.observedGeneration === cluster?.metadata.generation && revision !== first ? revision : undefined;
    });
    expect(target).not.toBe(first);
    const { mostUpdatingAtOnce, complete } = await watchRollout(target);
    expect(mostUpdatingAtOnce).toBeLessThanOrEqual(1);
    const [canary, eu2, us1] = await Promise.all(MEMBERS.map(movedAt));
    // The canary wave first; then the rest by name, each after the one before it.
    expect(canary).toBeLessThan(eu2 ?? 0);
    expect(eu2).toBeLessThan(us1 ?? 0);
    for (const member of MEMBERS) expect((await replicaIn(member))?.spec.externalLabels).toMatchObject({ team: 'sre' });
    expect(conditionOf(complete, 'RolloutProgressing')).toMatchObject({ status: 'True', reason: 'RolloutComplete' });
    first = target;
  });

  it('halts a rollout whose canary never runs: the canary leaves DNS, the others keep serving on the old revision', async () => {
    const before = statusTargets(await hubStatus());
    expect(before).toHaveLength(3);
    await pf.clusters.patch(NAME, 'default', {
      spec: { images: { prometheus: `quay.io/prometheus/prometheus:v3.5.0-${BAD_IMAGE_MARKER}` }, rollout: { progressDeadline: '10s' } },
    });
    const halted = await rolloutIn('Halted');
    expect(conditionOf(halted, 'RolloutProgressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(conditionOf(halted, 'RolloutProgressing')?.message).toMatch(/^canary is not Running at revision fleet-[0-9a-f]{10} 10s after it got it/);
    const events = await eventually('a Warning Event naming the canary', async () => {
      const found = (await eventsAbout(pf.hub, { kind: 'PrometheusCluster', name: NAME, namespace: 'default' })).filter(
        (event) => event.reason === 'ProgressDeadlineExceeded',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]).toMatchObject({ type: 'Warning' });
    expect(events[0]?.message).toContain('canary');
    // No further member was touched: both still run the old revision, Running, and in DNS.
    for (const member of ['eu-2', 'us-1']) {
      const replica = await replicaIn(member);
      expect(revisionOf(replica)).toBe(first);
      expect(replica?.spec.images?.prometheus).toBeUndefined();
      expect(running(replica)).toBe(true);
    }
    const serving = await eventually('DNS without the canary', async () => {
      const cluster = await hubStatus();
      return statusTargets(cluster).length === 2 ? cluster : undefined;
    });
    const canaryAddresses = entryOf(serving, 'canary')?.addresses ?? [];
    expect(statusTargets(serving)).toEqual(before.filter((target) => !canaryAddresses.includes(target)));
    expect(halted.status?.rollout).toMatchObject({ state: 'Halted', updated: 0, pending: 3, currentWave: 'canary' });
  });

  it('rolls back when the spec is reverted, the failed member first', async () => {
    await pf.clusters.patch(NAME, 'default', { spec: { images: null, rollout: { progressDeadline: '10m' } } });
    const { mostUpdatingAtOnce, complete } = await watchRollout(first);
    expect(mostUpdatingAtOnce).toBeLessThanOrEqual(1);
    expect((await replicaIn('canary'))?.spec.images?.prometheus).toBeUndefined();
    expect(complete.status?.rollout?.targetRevision).toBe(first);
    await eventually('all three in DNS again', async () => statusTargets(await hubStatus()).length === 3);
  });

  it('moves no member while paused, and goes on when resumed', async () => {
    await pf.clusters.patch(NAME, 'default', { spec: { externalLabels: { team: 'platform' }, rollout: { paused: true } } });
    const paused = await rolloutIn('Paused');
    const target = paused.status?.rollout?.targetRevision ?? '';
    expect(target).not.toBe(first);
    expect(conditionOf(paused, 'RolloutProgressing')).toMatchObject({ status: 'Unknown', reason: 'RolloutPaused' });
    // The hub has reconciled this generation and moved nobody.
    for (const member of MEMBERS) expect(revisionOf(await replicaIn(member))).toBe(first);

    await pf.clusters.patch(NAME, 'default', { spec: { rollout: { paused: false } } });
    const { mostUpdatingAtOnce } = await watchRollout(target);
    expect(mostUpdatingAtOnce).toBeLessThanOrEqual(1);
    for (const member of MEMBERS) expect((await replicaIn(member))?.spec.externalLabels).toMatchObject({ team: 'platform' });
  });

  it('gives a member whose merged spec is invalid an Error entry naming the field, and goes on with the others', async () => {
    const current = (await hubStatus())?.spec.overrides ?? [];
    await pf.clusters.patch(NAME, 'default', {
      spec: { overrides: [...current, { name: 'tier-label', clusterSelector: {}, template: { externalLabels: { tier: '{{ member.labels.tier }}' } } }] },
    });
    const stuck = await eventually('the canary moved, the others in Error', async () => {
      const cluster = await hubStatus();
      const errors = ['eu-2', 'us-1'].map((member) => entryOf(cluster, member)?.phase);
      return cluster?.status?.observedGeneration === cluster?.metadata.generation &&
        cluster?.status?.rollout?.updated === 1 &&
        errors.every((phase) => phase === 'Error')
        ? cluster
        : undefined;
    });
    expect(entryOf(stuck, 'us-1')?.message).toMatch(
      /^merged spec invalid: spec\.overrides\[1\]\.template\.externalLabels\.tier: \{\{ member\.labels\.tier \}\}: member us-1 has no label "tier"; keeps running revision fleet-/,
    );
    expect(stuck.status?.rollout?.message).toContain('the target revision is invalid for (see their entries): eu-2, us-1');
    expect((await replicaIn('canary'))?.spec.externalLabels).toMatchObject({ tier: 'canary' });
    for (const member of ['eu-2', 'us-1']) expect((await replicaIn(member))?.spec.externalLabels?.tier).toBeUndefined();
  });
});
