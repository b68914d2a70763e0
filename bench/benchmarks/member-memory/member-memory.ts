import { Informer } from '@promfleet/kube/cache';
import { ConfigMaps, KubeClient, ResourceClient } from '@promfleet/kube/client';
import { establishedConnections } from '@promfleet/kube/testing';
import { startFleet } from '@promfleet/testkit';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

import { collectGarbage, round, type Benchmark } from '../../harness.ts';

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapCommitted: number;
}

function memory(): Memory {
  collectGarbage();
  collectGarbage();
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) * 1024;
  const { heapUsed, heapTotal } = process.memoryUsage();
  return { rss, heapUsed, heapCommitted: heapTotal };
}

/**
 * B9: what one member costs the hub in memory before it holds a single replica: its client (a TLS
 * context of its own, as each member has its own CA), its replicas informer (a list, then a watch
 * held open) and a probe beside the watch — N of them against one API server, measured in this
 * process. Says where a 1000-member hub's memory goes outside the replicas it caches.
 */
export const memberMemoryBenchmark: Benchmark = {
  name: 'member-memory',
  description: "B9: one member's memory in the hub with no replica cached (client, TLS context, informer with its watch, a probe), by part",
  async run({ smoke, log }) {
    const members = smoke ? 10 : 1000;
    await using fleet = await startFleet({ clusters: ['bench'], loadBalancer: false });
    const cluster = fleet.cluster('bench');
    const port = Number(new URL(cluster.server).port);
    await sleep(1000);
    const connectionsBefore = await establishedConnections(port);
    const before = memory();
    log(`${String(members)} members: a client, an informer and a probe each`);
    const clients = Array.from({ length: members }, (_, i) => new KubeClient(cluster.kubeConfig, { cluster: `member-${String(i)}` }));
    const informers = clients.map((client, i) => new Informer(new ResourceClient(client, ConfigMaps), { namespace: `member-${String(i)}` }));
    for (const informer of informers) informer.start();
    try {
      await Promise.all(informers.map((informer) => informer.waitForSync()));
      // The probe beside the open watch, as the census sends it.
      await Promise.all(clients.map((client, i) => new ResourceClient(client, ConfigMaps).list({ namespace: `member-${String(i)}`, limit: 1 })));
      await sleep(2000);
      const after = memory();
      const connections = (await establishedConnections(port)) - connectionsBefore;

      // TLS contexts alone: one per member, built from the API server's CA as a member's client builds its own.
      const contextsBefore = memory();
      const contexts: SecureContext[] = Array.from({ length: members }, () => createSecureContext({ ca: cluster.ca }));
      const contextsAfter = memory();
      log(`${String(contexts.length)} TLS contexts built alone`);

      const perMember = (bytes: number) => bytes / members / 1024;
      const rss = after.rss - before.rss;
      const used = after.heapUsed - before.heapUsed;
      const committed = after.heapCommitted - before.heapCommitted;
      const tls = contextsAfter.rss - contextsBefore.rss;
      const parts: [string, number][] = [
        ['RSS, all of it', rss],
        ['V8 heap, used (clients, informers, undici, sockets as objects)', used],
        ['V8 heap, committed beyond used', committed - used],
        ['outside the V8 heap (RSS − heap committed)', rss - committed],
        ['  of it, a TLS context (built alone)', tls],
        ['  of it, the rest (TLS session, HTTP/2 session, socket buffers)', rss - committed - tls],
      ];
      return [
        {
          title: `B9 one member's memory in the hub, no replica cached (${String(members)} members on one API server, ${String(round(connections / members, 2))} connections each)`,
          columns: ['part', 'per member (KiB)', 'per 1000 members (MiB)'],
          rows: parts.map(([part, bytes]) => ({
            part,
            'per member (KiB)': round(perMember(bytes), 1),
            'per 1000 members (MiB)': round((perMember(bytes) * 1000) / 1024, 1),
          })),
          notes: [
            'Each member: its own KubeClient (one TLS context, one HTTP/2 connection), an informer (list, then a watch held open) on its namespace, one probe beside the watch.',
            'RSS from /proc/self/status and heap from process.memoryUsage() after full collections, before and after, in the benchmark process.',
          ],
        },
      ];
    } finally {
      await Promise.all(informers.map((informer) => informer.stop()));
      await Promise.all(clients.map((client) => client.close()));
    }
  },
};
