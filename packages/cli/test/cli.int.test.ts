import { writeFile } from 'node:fs/promises';
import { join as joinPath } from 'node:path';

import { MemberClusters, PrometheusClusters, PrometheusClusterShards, shardObjectName, shardOf, type DNSRecord } from '@promfleet/api';
import type { KubeClient } from '@promfleet/kube/client';
import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { adminClient, resources, runCli, storedCredential } from './helpers.ts';

let fleet: Fleet;
let hub: KubeClient;
let files: { hub: string; member: string };

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['hub', 'member'], loadBalancer: false });
  await Promise.all([installCRDs(fleet.cluster('hub')), installCRDs(fleet.cluster('member'))]);
  hub = adminClient(fleet.cluster('hub'), 'hub').client;
  files = { hub: fleet.cluster('hub').kubeconfigFile, member: fleet.cluster('member').kubeconfigFile };
});

afterAll(async () => {
  await hub.close();
  await fleet.stop();
});

describe('promfleet (the real command, as a child process)', () => {
  it('joins a member, printing one line per step and never the token', async () => {
    const run = await runCli([
      'join',
      'eu-west',
      '--member-kubeconfig',
      files.member,
      '--hub-kubeconfig',
      files.hub,
      '--label',
      'region=eu-west-1',
      '--token-ttl',
      '1000h',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((line) => line.replace(/ \(.*\)$/, '').replace(/promfleet-hub-binding-[a-z0-9]+/, 'promfleet-hub-binding-*'))).toEqual([
      '[hub] CustomResourceDefinition memberclusters.promfleet.io: checked',
      '[member eu-west] CustomResourceDefinition prometheusreplicas.promfleet.io: checked',
      '[member eu-west] Namespace monitoring: created',
      '[member eu-west] ServiceAccount monitoring/promfleet-hub: created',
      '[member eu-west] Role monitoring/promfleet-hub: created',
      '[member eu-west] RoleBinding monitoring/promfleet-hub: created',
      '[member eu-west] Secret monitoring/promfleet-hub-binding-*: created',
      '[member eu-west] token for ServiceAccount monitoring/promfleet-hub: issued',
      '[member eu-west] credential promfleet-hub@eu-west: verified',
      '[hub] Namespace promfleet-system: created',
      '[hub] Secret promfleet-system/member-eu-west: created',
      '[hub] MemberCluster eu-west: created',
    ]);
    expect(lines.at(-1)).toMatch(
      /^joined eu-west \(8 created, 0 updated, 0 unchanged, token issued\): the hub manages PrometheusReplicas in eu-west\/monitoring as promfleet-hub@eu-west, and nothing else \(token expires \d{4}-/,
    );
    const stored = await storedCredential(hub, 'eu-west');
    expect(stored?.token.length).toBeGreaterThan(100);
    expect(run.stderr).not.toContain(stored?.token.slice(-40));
    expect((await resources(hub, MemberClusters).get('eu-west'))?.metadata.labels).toEqual({ region: 'eu-west-1' });

    const again = await runCli(['join', 'eu-west', '--member-kubeconfig', files.member, '--hub-kubeconfig', files.hub]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('[member eu-west] ServiceAccount monitoring/promfleet-hub: unchanged\n');
    expect(again.stderr).toContain('[member eu-west] token for ServiceAccount monitoring/promfleet-hub: kept (expires ');
    expect(again.stderr.trimEnd().split('\n').at(-1)).toMatch(/^eu-west is joined, nothing changed: /);
  });

  it('lists the member, status and endpoints from the hub', async () => {
    const members = await runCli(['members', '--hub-kubeconfig', files.hub, '-o', 'json']);
    expect(members.code).toBe(0);
    expect(JSON.parse(members.stdout)).toEqual([
      { name: 'eu-west', labels: { region: 'eu-west-1' }, namespace: 'monitoring', ready: 'Unknown', credential: 'unknown' },
    ]);

    await resources(hub, PrometheusClusters).create({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusCluster',
      metadata: { name: 'cloud', namespace: 'default' },
      spec: { clusterSelector: {}, configMap: 'c', bucketSecret: 'b' } as never,
    });
    const status = await runCli(['status', 'default/cloud', '--hub-kubeconfig', files.hub]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('default/cloud    Unknown   0          0\n');
    const endpoints = await runCli(['endpoints', '--hub-kubeconfig', files.hub]);
    expect(endpoints.stdout).toBe('; default/cloud: no records (no ready member)\n');
    const missing = await runCli(['status', 'default/nope', '--hub-kubeconfig', files.hub]);
    expect([missing.code, missing.stderr]).toEqual([1, 'promfleet: PrometheusCluster default/nope not found in the hub\n']);
  });

  it("shows a sharded cluster whole: its members' entries and records from its shards, and none from shards of another layout", async () => {
    const clusters = resources(hub, PrometheusClusters);
    const created = await clusters.create({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusCluster',
      metadata: { name: 'big', namespace: 'default' },
      spec: { clusterSelector: {}, configMap: 'c', bucketSecret: 'b' } as never,
    });
    await clusters.patch(
      'big',
      'default',
      { status: { phase: 'Ready', selected: 2, ready: 2, shards: 2, endpoints: [] } },
      { type: 'merge', subresource: 'status' },
    );
    const record = (member: string, address: string): DNSRecord => ({
      dnsName: 'query.big.example.com',
      recordType: 'A',
      targets: [address],
      ttl: 30,
      setIdentifier: member,
      routingPolicy: 'weighted',
      weight: 1,
    });
    const members = { 'eu-west': '192.0.2.10', 'us-east': '192.0.2.20' };
    const api = resources(hub, PrometheusClusterShards);
    const writeShard = async (shard: number, shards: number, held: readonly (readonly [string, string])[]) => {
      const name = shardObjectName('big', shard);
      await api.create({
        apiVersion: 'promfleet.io/v1alpha1',
        kind: 'PrometheusClusterShard',
        metadata: {
          name,
          namespace: 'default',
          labels: { 'promfleet.io/prometheus-cluster': 'big' },
          ownerReferences: [{ apiVersion: 'promfleet.io/v1alpha1', kind: 'PrometheusCluster', name: 'big', uid: created.metadata.uid ?? '' }],
        },
        spec: { cluster: 'big', shard, shards },
      });
      const status = {
        clusters: held.map(([member, address]) => ({ name: member, phase: 'Running', ready: true, stale: false, addresses: [address] })),
        endpoints: held.map(([member, address]) => record(member, address)),
      };
      await api.patch(name, 'default', { status }, { type: 'merge', subresource: 'status' });
    };
    for (const shard of [0, 1])
      await writeShard(
        shard,
        2,
        Object.entries(members).filter(([member]) => shardOf(member, 2) === shard),
      );
    // A shard of an older layout (4 shards) that the hub has not deleted yet: left out.
    await writeShard(3, 4, [['gone', '192.0.2.99']]);
    const status = await runCli(['status', 'default/big', '--hub-kubeconfig', files.hub, '-o', 'json']);
    expect(status.code).toBe(0);
    const [view] = JSON.parse(status.stdout) as { members: { name: string }[]; endpoints: DNSRecord[] }[];
    expect(view?.members.map((member) => member.name)).toEqual(['eu-west', 'us-east']);
    expect(view?.endpoints.map((e) => e.setIdentifier)).toEqual(['eu-west', 'us-east']);
    const endpoints = await runCli(['endpoints', '--hub-kubeconfig', files.hub]);
    expect(endpoints.stdout).toContain('192.0.2.10');
    expect(endpoints.stdout).toContain('192.0.2.20');
    expect(endpoints.stdout).not.toContain('192.0.2.99');
    await clusters.delete('big', 'default');
  });

  it('shows, pauses and resumes a rollout; rollout status --watch exits 0 on Complete and 1 on Halted', async () => {
    const clusters = resources(hub, PrometheusClusters);
    const hubFlag = ['--hub-kubeconfig', files.hub];
    expect((await runCli(['rollout', 'status', 'default/cloud', ...hubFlag])).stdout).toBe(
      'default/cloud: no rollout reported yet (the hub has not reconciled it)\n',
    );

    const paused = await runCli(['rollout', 'pause', 'default/cloud', ...hubFlag]);
    expect([paused.code, paused.stdout]).toEqual([0, 'default/cloud: rollout paused: no member moves to another revision until resumed\n']);
    expect((await clusters.get('cloud', 'default'))?.spec.rollout.paused).toBe(true);

    // What the hub would report; the watch reads it every 100 ms.
    const report = async (rollout: Record<string, unknown>) => {
      const generation = (await clusters.get('cloud', 'default'))?.metadata.generation;
      await clusters.patch('cloud', 'default', { status: { observedGeneration: generation, rollout } }, { type: 'merge', subresource: 'status' });
    };
    await report({
      targetRevision: 'cloud-0123456789',
      updated: 1,
      pending: 2,
      state: 'Paused',
      message: 'paused with 1/3 members at revision cloud-0123456789',
    });
    expect((await runCli(['rollout', 'status', 'default/cloud', ...hubFlag])).stdout).toBe(
      'default/cloud: Paused (target cloud-0123456789): paused with 1/3 members at revision cloud-0123456789\n',
    );
    const resumed = await runCli(['rollout', 'resume', 'default/cloud', ...hubFlag]);
    expect([resumed.code, resumed.stdout]).toEqual([0, 'default/cloud: rollout resumed\n']);
    expect((await clusters.get('cloud', 'default'))?.spec.rollout.paused).toBe(false);

    await report({
      targetRevision: 'cloud-0123456789',
      updated: 1,
      pending: 2,
      currentWave: 'canary',
      state: 'Progressing',
      message: '1/3 members at revision cloud-0123456789 (wave canary)',
    });
    const watching = runCli(['rollout', 'status', 'default/cloud', '--watch', '--watch-interval', '100ms', ...hubFlag]);
    await report({
      targetRevision: 'cloud-0123456789',
      updated: 3,
      pending: 0,
      currentWave: null,
      state: 'Complete',
      message: 'all 3 members run revision cloud-0123456789',
    });
    const complete = await watching;
    expect(complete.code).toBe(0);
    expect(complete.stdout.trimEnd().split('\n').at(-1)).toBe('default/cloud: Complete (target cloud-0123456789): all 3 members run revision cloud-0123456789');

    await report({
      targetRevision: 'cloud-9876543210',
      updated: 0,
      pending: 3,
      currentWave: 'canary',
      state: 'Halted',
      message: 'canary is not Running at revision cloud-9876543210 10m after it got it',
    });
    const halted = await runCli(['rollout', 'status', 'default/cloud', '-w', ...hubFlag]);
    expect([halted.code, halted.stdout]).toEqual([
      1,
      'default/cloud: Halted (target cloud-9876543210, wave canary): canary is not Running at revision cloud-9876543210 10m after it got it\n',
    ]);

    const usage = await runCli(['rollout', 'restart', 'default/cloud', ...hubFlag]);
    expect([usage.code, usage.stderr]).toEqual([2, 'promfleet: rollout: "restart" is not an action (status, pause or resume)\n']);
    const missing = await runCli(['rollout', 'pause', 'default/nope', ...hubFlag]);
    expect([missing.code, missing.stderr]).toEqual([1, 'promfleet: PrometheusCluster default/nope not found in the hub\n']);
  });

  it('rejects bad flags and arguments with exit code 2 and one line', async () => {
    // Every usage error is covered in src/cli/run.test.ts; these two prove the real process agrees.
    const cases = [
      [['join', 'eu-west', '--member-kubeconfig', files.member, '--frobnicate'], 'promfleet: unknown flag --frobnicate (see --help)\n'],
      [['join', 'eu-west'], 'promfleet: join: give the member cluster with --member-kubeconfig or --member-context (see promfleet join --help)\n'],
    ] as const;
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect([run.code, run.stdout, run.stderr]).toEqual([2, '', message]);
    }
  });

  it('unjoins, then exits 3 with one line when the member API server is down', async () => {
    const unjoined = await runCli(['unjoin', 'eu-west', '--member-kubeconfig', files.member, '--hub-kubeconfig', files.hub]);
    expect(unjoined.code).toBe(0);
    expect(unjoined.stderr.trimEnd().split('\n').at(-1)).toBe('unjoined eu-west: removed 6 objects');

    await fleet.cluster('member').stop();
    const run = await runCli(['join', 'eu-west', '--member-kubeconfig', files.member, '--hub-kubeconfig', files.hub]);
    expect(run.code).toBe(3);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^promfleet: join eu-west failed: cannot reach the member API server: eu-west: get \S+: ECONNREFUSED .*Nothing was written to the hub\. Nothing was changed in member eu-west\.$/,
    );
    expect(lines.filter((line) => line.startsWith('promfleet:'))).toHaveLength(1);
    expect(await resources(hub, MemberClusters).get('eu-west')).toBeUndefined();
  });

  it('runs through the bin shim, as kubectl would run kubectl-promfleet', async () => {
    const crdsFile = joinPath(fleet.dir, 'crds.yaml');
    const { execFileSync } = await import('node:child_process');
    const output = execFileSync(process.execPath, [new URL('../bin/promfleet.js', import.meta.url).pathname, 'crds'], { encoding: 'utf8' });
    await writeFile(crdsFile, output);
    const validated = await runCli(['validate', '-f', crdsFile]);
    expect(validated.stdout).toContain(`${crdsFile}:doc 1: skipped CustomResourceDefinition (not a promfleet kind)\n`);
    expect(validated.stdout.trimEnd().split('\n').at(-1)).toBe('1 file, 4 documents: 0 valid, 4 skipped, 0 errors');
    expect(validated.code).toBe(0);
  });
});
