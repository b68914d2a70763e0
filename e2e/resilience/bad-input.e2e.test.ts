import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LABELS, type PrometheusCluster, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { corpusFiles, describeObject, loadBadInputCorpus, type BadInputCase } from '../helpers/bad-input.ts';
import { applyCase, untouchedByHub, unmetExpectations, type AppliedCase, type CorpusFleet } from '../helpers/bad-input-run.ts';
import { monitorInvariants, type InvariantMonitor } from '../helpers/invariants.ts';
import { conditionOf, eventsAbout, healthy, prometheusCluster, replicasIn } from '../helpers/observe.ts';
import { eventually, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from '../helpers/promfleet-fleet.ts';

// R6 and R8: a hub and two "cloud" members running one healthy PrometheusCluster, "steady",
// while the whole bad-input corpus lands at once; then drift and hand-made replicas.
const MEMBERS = ['eu-west', 'us-east'] as const;
const FILES = corpusFiles();
const EXEC_MARKER = join(tmpdir(), `promfleet-exec-plugin-ran-${String(process.pid)}`);

let pf: Promfleet;
let fleet: CorpusFleet;

const member = (name: string): KubeClient => {
  const client = pf.members.get(name)?.client;
  if (!client) throw new Error(`no member ${name}`);
  return client;
};
const steady = () => pf.clusters.get('steady', 'default');
const steadyReady = async (): Promise<PrometheusCluster | undefined> => {
  const cluster = await steady();
  return cluster?.status?.phase === 'Ready' && cluster.status.ready === MEMBERS.length ? cluster : undefined;
};

beforeAll(async () => {
  pf = await startPromfleet({
    members: MEMBERS.map((name) => ({ name, labels: { platform: 'cloud' } })),
    hub: { probeInterval: '2s', offlineAfter: '6s', deletionTimeout: '20s' },
  });
  fleet = { hub: pf.hub, members: new Map(MEMBERS.map((name) => [name, member(name)])) };
  await pf.clusters.create(prometheusCluster('steady', { clusterSelector: { matchLabels: { platform: 'cloud' } }, baseDomain: 'steady.example.com' }));
  await eventually('steady Ready on both members', steadyReady);
});

afterAll(async () => {
  await pf.stop();
});

describe('the bad-input corpus (R6)', () => {
  let corpus: BadInputCase[];
  let applied: Map<string, AppliedCase>;
  let monitor: InvariantMonitor;

  beforeAll(async () => {
    corpus = loadBadInputCorpus({ MEMBER_SERVER: pf.members.get('eu-west')?.cluster.server ?? '', EXEC_MARKER });
    // What must hold while the controllers chew on all of it: nothing crashes, and the healthy
    // PrometheusCluster keeps converging.
    monitor = monitorInvariants({
      'hub healthy': async () => (pf.hubProcess.process.running && (await healthy(pf.hubProcess.url)) ? undefined : 'the hub is down'),
      'operators healthy': async () => {
        const down = await Promise.all(MEMBERS.map(async (name) => ((await healthy(pf.members.get(name)?.operator.url ?? '')) ? undefined : name)));
        return down.some(Boolean) ? `operator down in ${down.filter(Boolean).join(', ')}` : undefined;
      },
      'steady Ready': async () => ((await steadyReady()) ? undefined : JSON.stringify((await steady())?.status?.conditions)),
    });
    const started = Date.now();
    applied = new Map((await Promise.all(corpus.map((badInput) => applyCase(fleet, badInput)))).map((result) => [result.badInput.file, result]));
    console.log(`${String(corpus.length)} bad-input cases applied in ${String(Date.now() - started)} ms`);
  });

  it('has at least 30 cases, each saying what is wrong and what is expected', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    for (const badInput of corpus) {
      expect(badInput.title, badInput.file).not.toBe('');
      expect(badInput.expectations.length, badInput.file).toBeGreaterThan(0);
    }
  });

  it.each(FILES)('%s gives its precise condition, Event or error', async (file) => {
    const result = applied.get(file);
    if (!result) throw new Error(`${file} was not applied`);
    await eventually(
      `${file}: ${result.badInput.title}`,
      async () => {
        const unmet = await unmetExpectations(fleet, result);
        if (unmet.length > 0) throw new Error(unmet.join('; '));
        return true;
      },
      45_000,
      500,
    );
  });

  it('crashes nothing, and the healthy PrometheusCluster stays Ready throughout', async () => {
    // On a loaded machine the corpus may be handled in fewer rounds: watch on until there were enough.
    await eventually('the invariants checked more than 10 times', () => monitor.rounds > 10, 120_000);
    await monitor.stop();
    console.log(`invariants checked ${String(monitor.rounds)} times while the corpus was handled`);
    expect(monitor.rounds).toBeGreaterThan(10);
    expect(monitor.violations).toEqual([]);
    expect(pf.hubProcess.process.running).toBe(true);
    for (const name of MEMBERS) expect(pf.members.get(name)?.operator.process.running, name).toBe(true);
  });

  // SPEC: what the schema cannot catch "becomes a condition with reason and message and a Kubernetes Event".
  it('records a Warning Event with the reason of every failing condition a controller sets on bad input', async () => {
    const missing: string[] = [];
    for (const { badInput } of applied.values()) {
      for (const expectation of badInput.expectations) {
        if (!('condition' in expectation) || expectation.condition.status !== 'False') continue;
        const [kind = '', name = ''] = (expectation.on ?? describeObject(badInput.subject)).split('/');
        const events = await eventsAbout(pf.hub, { kind, name, namespace: kind === 'MemberCluster' ? undefined : 'default' });
        if (!events.some((event) => event.type === 'Warning' && event.reason === expectation.condition.reason))
          missing.push(`${badInput.file}: ${kind}/${name} ${expectation.condition.reason}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('drift and unmanaged objects (R8)', () => {
  const replicas = (name: string) => new ResourceClient(member(name), PrometheusReplicas);

  beforeAll(async () => {
    // A region's own replica, next to the hub's, that the hub must never touch.
    const handMade = { metadata: { name: 'hand-made', namespace: MEMBER_NAMESPACE }, spec: { configMap: 'prometheus-config', bucketSecret: 's3-bucket' } };
    for (const name of MEMBERS) await replicas(name).create(handMade as unknown as PrometheusReplica);
  });

  it('recreates a managed replica deleted by hand and reverts hand edits of what it sets', async () => {
    const deleted = await replicas('eu-west').get('steady', MEMBER_NAMESPACE);
    await replicas('eu-west').delete('steady', MEMBER_NAMESPACE);
    await replicas('us-east').patch('steady', MEMBER_NAMESPACE, { metadata: { labels: { [LABELS.member]: null } }, spec: { metrics: { retention: '48h' } } });
    const recreated = await eventually('steady recreated in eu-west', async () => {
      const replica = await replicas('eu-west').get('steady', MEMBER_NAMESPACE);
      return replica && replica.metadata.uid !== deleted?.metadata.uid ? replica : undefined;
    });
    expect(recreated.spec.clusterName).toBe('eu-west');
    const reverted = await eventually('the hand edit in us-east reverted', async () => {
      const replica = await replicas('us-east').get('steady', MEMBER_NAMESPACE);
      return replica?.spec.metrics.retention === '24h' && replica.metadata.labels?.[LABELS.member] === 'us-east' ? replica : undefined;
    });
    expect(reverted.metadata.labels?.[LABELS.managedBy]).toBe('promfleet-hub');
    await eventually('steady Ready again', steadyReady);
  });

  // SPEC: "a hand edit of a hub-managed replica in a member is reverted". The hub states
  // paused: false, so a pause set by hand (which would keep the member out of DNS) is reverted.
  it('reverts a pause set by hand on a managed replica (spec.paused)', async () => {
    await replicas('eu-west').patch('steady', MEMBER_NAMESPACE, { spec: { paused: true } });
    try {
      await eventually(
        'spec.paused reverted by the hub',
        async () => (await replicas('eu-west').get('steady', MEMBER_NAMESPACE))?.spec.paused === false,
        20_000,
      );
      await eventually('steady Ready again', steadyReady);
    } finally {
      await replicas('eu-west').patch('steady', MEMBER_NAMESPACE, { spec: { paused: null } });
      await eventually('steady Ready after the test', steadyReady);
    }
  });

  it('never touches unmanaged replicas: not on deselection, nor when their namesake PrometheusCluster goes', async () => {
    await pf.memberClusters.patch('us-east', undefined, { metadata: { labels: { platform: 'onprem' } } });
    await eventually("steady's replica removed from the deselected us-east", async () => !(await replicasIn(member('us-east'))).has('steady'));
    await pf.memberClusters.patch('us-east', undefined, { metadata: { labels: { platform: 'cloud' } } });
    // bad-taken is the corpus's hand-made replica that its namesake PrometheusCluster conflicts with.
    await pf.clusters.delete('bad-taken', 'default');
    await eventually('bad-taken deleted', async () => (await pf.clusters.get('bad-taken', 'default')) === undefined);
    for (const name of MEMBERS) {
      const held = await replicasIn(member(name));
      expect(untouchedByHub(held.get('hand-made')), `hand-made in ${name}`).toBe(true);
      expect(untouchedByHub(held.get('bad-taken')), `bad-taken in ${name}`).toBe(true);
    }
    const back = await eventually('steady Ready on both again', steadyReady);
    expect(conditionOf(back, 'Ready')?.reason).toBe('AllMembersReady');
  });
});
