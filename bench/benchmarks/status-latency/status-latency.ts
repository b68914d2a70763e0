import { DNSEndpoints } from '@promfleet/hub';
import { MemberClusters, PrometheusClusters } from '@promfleet/api';
import { ConfigMaps, ResourceClient } from '@promfleet/kube/client';
import { findCondition } from '@promfleet/kube/status';

import { BENCH_NAMESPACE, BenchFleet } from '../../lib/bench-fleet.ts';
import { EndpointStream } from '../../lib/endpoint-stream.ts';
import { FleetObservers } from '../../lib/fleet-observers.ts';
import { benchCluster, MEMBER_LABELS } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { percentile, round, type Benchmark, type BenchmarkResult } from '../../harness.ts';
import { hop, transition, type TransitionTimes } from './transition.ts';

const TIMEOUT_MS = 600_000;

type Row = Record<string, string | number>;

export const statusLatencyBenchmark: Benchmark = {
  name: 'status-latency',
  description:
    'a member replica turning not ready (and back) until the hub status, the DNSEndpoint and an endpoints-API stream show it, against one write-and-watch hop',
  async run({ smoke, log }) {
    const sizes = smoke ? [2] : [10, 100];
    const samples = smoke ? 1 : 15;
    const memberServers = smoke ? 1 : 4;
    log(
      `starting a hub and ${String(memberServers)} member API servers with operators (hostname load balancers, weighted routing: one CNAME record per member)`,
    );
    await using bench = await BenchFleet.start({ memberServers, operators: true, loadBalancer: 'hostname' });
    const observers = await new FleetObservers(bench).start();
    const memberClusters = await new Observer(new ResourceClient(bench.hub, MemberClusters)).start();
    const dnsEndpoints = await new Observer(new ResourceClient(bench.hub, DNSEndpoints), { namespace: BENCH_NAMESPACE }).start();
    const hopObserver = await new Observer(new ResourceClient(bench.hub, ConfigMaps), { namespace: BENCH_NAMESPACE }).start();
    await new ResourceClient(bench.hub, ConfigMaps).create({ metadata: { name: 'hop', namespace: BENCH_NAMESPACE }, data: { sequence: '0' } });
    const clusters = new ResourceClient(bench.hub, PrometheusClusters);
    const rows: Row[] = [];
    try {
      for (const size of sizes) {
        await bench.join(size - bench.members.length, MEMBER_LABELS);
        if (size === sizes[0]) await bench.startHub();
        await memberClusters.until(
          `${String(size)} members Ready`,
          (cache) => cache.list().filter((m) => findCondition(m.status?.conditions, 'Ready')?.status === 'True').length === size,
          TIMEOUT_MS,
        );
        const name = `latency-${String(size)}`;
        // Weighted: one CNAME per member (routing policy none would publish a single member's).
        await clusters.create(benchCluster(name, { dns: { routingPolicy: 'weighted' } }));
        log(`N=${String(size)}: waiting until ${name} is ready with one record per member`);
        await dnsEndpoints.until(
          `${String(size)} records in the DNSEndpoint`,
          (cache) => (cache.get(`${BENCH_NAMESPACE}/${name}`)?.spec?.endpoints ?? []).length === size,
          TIMEOUT_MS,
        );
        const stream = await EndpointStream.connect(bench.hubProcess.url);
        const times: TransitionTimes[] = [];
        const hops: number[] = [];
        try {
          for (let sample = 0; sample < samples; sample++) {
            const member = bench.members[(sample * 7) % size];
            if (!member) throw new Error('no member');
            for (const ready of [false, true]) {
              times.push(await transition({ bench, observers, dnsEndpoints, stream }, name, member, ready));
              hops.push(await hop(bench, hopObserver, hops.length + 1));
            }
          }
        } finally {
          stream.close();
        }
        log(`N=${String(size)}: ${String(times.length)} transitions measured`);
        rows.push(...tableRows(size, times, hops));
        // Its pods would only slow the next size down.
        if (size !== sizes.at(-1)) {
          await clusters.delete(name, BENCH_NAMESPACE);
          await observers.gone(name, TIMEOUT_MS);
        }
      }
    } finally {
      await Promise.all([observers.stop(), memberClusters.stop(), dnsEndpoints.stop(), hopObserver.stop()]);
    }
    return [result(rows, samples)];
  },
};

function tableRows(size: number, times: readonly TransitionTimes[], hops: readonly number[]): Row[] {
  const hopP50 = percentile(hops, 50);
  const hopP99 = percentile(hops, 99);
  const readers: [string, keyof TransitionTimes][] = [
    ['pod → replica status (member side, for context)', 'member'],
    ['replica status → hub status', 'hubStatus'],
    ['replica status → DNSEndpoint', 'dnsEndpoint'],
    ['replica status → endpoints API stream (SSE)', 'endpointStream'],
  ];
  return readers.map(([what, field]) => {
    const values = times.map((t) => t[field]);
    return {
      N: size,
      latency: what,
      'p50 (ms)': Math.round(percentile(values, 50)),
      'p99 (ms)': Math.round(percentile(values, 99)),
      'hop p50 (ms)': Math.round(hopP50),
      'hop p99 (ms)': Math.round(hopP99),
      '/ hop p50': round(percentile(values, 50) / hopP50, 1),
      '/ hop p99': round(percentile(values, 99) / hopP99, 1),
    };
  });
}

function result(rows: Row[], samples: number): BenchmarkResult {
  return {
    title: `Member status → hub: ${String(samples * 2)} transitions per size (a Prometheus pod made not ready, then ready)`,
    columns: ['N', 'latency', 'p50 (ms)', 'p99 (ms)', 'hop p50 (ms)', 'hop p99 (ms)', '/ hop p50', '/ hop p99'],
    rows,
    notes: [
      "Measured from the moment a watch on the member API server delivers the replica's status change to the moment a watch (or the SSE client) shows the reader changed.",
      "hop: one patch to the hub's API server until a watch delivers it, measured right after each transition. The hub status is at best one hop after the replica; the DNSEndpoint two (status, then DNSEndpoint).",
      "The endpoints stream is fed from the hub's own cache of its status (in-memory store), so it can be under one hop.",
    ],
  };
}
