import { Namespaces, ResourceClient } from '@promfleet/kube/client';
import { parseMetricsText, runCli } from '@promfleet/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { conditionOf, dnsEndpointTargets, entryOf, eventsAbout, prometheusCluster, statusTargets } from '../helpers/observe.ts';
import { eventually } from '../helpers/promfleet-fleet.ts';
import { HostileMember } from './hostile-member.ts';
import { kubeconfigFor, registerMember, type SecurityFleet } from './security-fleet.ts';

const INJECTED = '192.0.2.99\nevil.example.com. 30 IN A 203.0.113.66';
const ESCAPES = 'pod crashed \u001b[2J\u001b[31mFAKE OK\u001b[0m \u202eevil\u202c';
const UNPRINTABLE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** What the hostile member reports for each replica the hub applies there. */
function hostileStatus(name: string): unknown {
  const at = '2026-01-01T00:00:00Z';
  if (name === 'dirty-message') {
    return {
      phase: 'Degraded',
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodsFailing', message: ESCAPES, lastTransitionTime: at }],
      output: { addresses: ['192.0.2.98'] },
    };
  }
  return {
    phase: 'Running',
    observedGeneration: 1,
    conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: 'ok', lastTransitionTime: at }],
    output: { queryHost: `query.${name}.example.com`, addresses: [INJECTED] },
  };
}

export function dnsAttacks(fleet: () => SecurityFleet): void {
  describe('DNS data', () => {
    let member: HostileMember;

    beforeAll(async () => {
      const f = fleet();
      member = await HostileMember.start('report', hostileStatus);
      await f.credential('sec-report', kubeconfigFor('sec-report', member.url, member.pki.caCert, 'hostile-member-token'));
      await registerMember(f, 'sec-report', { 'dns-test': 'yes', hostile: 'yes' });
      await f.pf.memberClusters.patch('eu-west', undefined, { metadata: { labels: { 'dns-test': 'yes' } } });
      await eventually('sec-report Ready', async () => conditionOf(await f.pf.memberClusters.get('sec-report'), 'Ready')?.status === 'True');
    });

    afterAll(async () => {
      await member.stop();
    });

    it('C1: a member reporting an address that would inject zone records is left out of DNS, the others published — stopped by the dnsTarget schema in the hub, the CRD and the CLI', async () => {
      const f = fleet();
      await f.pf.clusters.create(
        prometheusCluster('dns-target', { clusterSelector: { matchLabels: { 'dns-test': 'yes' } }, baseDomain: 'dns-target.example.com' }),
      );
      const euAddress = entryOf(await f.steady(), 'eu-west')?.addresses?.[0] ?? '';
      const cluster = await eventually('eu-west published, sec-report left out', async () => {
        const current = await f.pf.clusters.get('dns-target', 'default');
        return entryOf(current, 'sec-report')?.message?.startsWith('left out of DNS') && statusTargets(current).length === 1 ? current : undefined;
      });
      expect(statusTargets(cluster)).toEqual([euAddress]);
      expect(entryOf(cluster, 'sec-report')).toMatchObject({
        ready: true,
        message: 'left out of DNS: status.output.addresses must each be an IPv4 or IPv6 address or an RFC 1123 host name of at most 253 characters',
      });
      expect(entryOf(cluster, 'sec-report')?.addresses).toBeUndefined();
      expect(conditionOf(cluster, 'DNSPublished')).toMatchObject({
        status: 'True',
        reason: 'Published',
        message: '1 record(s) for query.dns-target.example.com; left out (invalid targets reported): sec-report',
      });
      await eventually('an InvalidMemberReport Warning', async () =>
        (await eventsAbout(f.pf.hub, { kind: 'PrometheusCluster', name: 'dns-target', namespace: 'default' })).some(
          (e) => e.type === 'Warning' && e.reason === 'InvalidMemberReport',
        ),
      );
      await eventually(
        'the DNSEndpoint holds eu-west only',
        async () => JSON.stringify(await dnsEndpointTargets(f.pf.hub, 'dns-target')) === JSON.stringify([euAddress]),
      );
      const zone = await runCli(['endpoints', `--hub-kubeconfig=${f.pf.hubCluster.kubeconfigFile}`]);
      expect(zone.code).toBe(0);
      expect(zone.stdout).toContain(`query.dns-target.example.com. 30 IN A ${euAddress}`);
      expect(zone.stdout).not.toContain('203.0.113.66');
      expect((await f.get('api', '/api/v1/endpoints')).body).not.toContain('203.0.113.66');
    });

    it("C2: a member's message with terminal escapes and bidi overrides is printed without them — stopped by the CLI stripping control characters", async () => {
      const f = fleet();
      await f.pf.clusters.create(
        prometheusCluster('dirty-message', { clusterSelector: { matchLabels: { hostile: 'yes' } }, baseDomain: 'dirty-message.example.com' }),
      );
      await eventually('the message recorded', async () =>
        entryOf(await f.pf.clusters.get('dirty-message', 'default'), 'sec-report')?.message?.includes('FAKE OK'),
      );
      // The table here; every format in the CLI's unit tests (read-models/hostile.test.ts).
      const status = await runCli(['status', 'default/dirty-message', `--hub-kubeconfig=${f.pf.hubCluster.kubeconfigFile}`]);
      expect(status.code).toBe(0);
      expect(status.stdout.replaceAll('\n', '')).not.toMatch(UNPRINTABLE);
      expect(status.stdout).toContain('pod crashed [2J[31mFAKE OK[0m evil');
    });

    it('C3: entries written to Redis by something else are skipped and counted, the good ones served, readiness degraded — stopped by validating each entry', async () => {
      const f = fleet();
      const raw = new Redis(f.redis.url);
      try {
        await raw.hset('promfleet:endpoints', 'default/poison', '{not json');
        await raw.hset(
          'promfleet:endpoints',
          'default/injected',
          JSON.stringify([{ dnsName: 'query.x.example.com', recordType: 'A', targets: [INJECTED], ttl: 30 }]),
        );
        await raw.publish('promfleet:endpoints:changes', JSON.stringify({ revision: 0, resync: true }));
        const readyz = await eventually('the API replica degraded', async () => {
          const reply = await f.get('api', '/readyz?verbose', {});
          return reply.body.includes('Redis holds 2 invalid endpoint entries') ? reply : undefined;
        });
        expect(readyz.status).toBe(200);
        const metrics = (await f.get('api', '/metrics', {})).body;
        expect(parseMetricsText(metrics, ['promfleet_endpoint_store_invalid_entries'])[0]?.value).toBe(2);
        const served = await f.get('api', '/api/v1/endpoints');
        expect(served.body).toContain('"name":"steady"');
        expect(served.body).not.toContain('203.0.113.66');
      } finally {
        await raw.hdel('promfleet:endpoints', 'default/poison', 'default/injected');
        await raw.publish('promfleet:endpoints:changes', JSON.stringify({ revision: 0, resync: true }));
        raw.disconnect();
      }
      await eventually('healthy again', async () => !(await f.get('api', '/readyz?verbose', {})).body.includes('degraded'));
    });

    it('D1: a newer PrometheusCluster claiming a live baseDomain cannot withdraw its records — stopped by the oldest claimant holding the name', async () => {
      const f = fleet();
      await new ResourceClient(f.pf.hub, Namespaces).create({ metadata: { name: 'team-x' } });
      const before = statusTargets(await f.steady());
      await f.pf.clusters.create({
        ...prometheusCluster('squatter', { clusterSelector: { matchLabels: { nothing: 'here' } }, baseDomain: 'steady.example.com' }),
        metadata: { name: 'squatter', namespace: 'team-x' },
      });
      const squatter = await eventually('the squatter refused', async () => {
        const current = await f.pf.clusters.get('squatter', 'team-x');
        return conditionOf(current, 'DNSPublished')?.reason === 'BaseDomainConflict' ? current : undefined;
      });
      expect(conditionOf(squatter, 'DNSPublished')?.message).toBe(
        'query.steady.example.com is held by default/steady, an older PrometheusCluster with the same baseDomain: this one publishes nothing while it does',
      );
      await eventually('steady names the newer claimant', async () =>
        conditionOf(await f.steady(), 'DNSPublished')?.message.includes('also claimed by team-x/squatter'),
      );
      expect(statusTargets(await f.steady())).toEqual(before);
      expect(await dnsEndpointTargets(f.pf.hub, 'steady')).toEqual(before);
      await f.pf.clusters.delete('squatter', 'team-x');
      await eventually('the squatter gone', async () => (await f.pf.clusters.get('squatter', 'team-x')) === undefined);
      expect(statusTargets(await f.steady())).toEqual(before);
    });
  });
}
