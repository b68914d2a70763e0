import { parseMetricsText } from '@promfleet/testkit';
import pLimit from 'p-limit';

import { rssOf } from '../../lib/process-memory.ts';
import { controllerMetrics } from '../../lib/scrape.ts';
import { createCluster, runningHub, untilCurrent, type ScaleContext } from './scale-context.ts';

export interface HubMemory {
  readonly members: number;
  readonly clusters: number;
  /** PrometheusClusters whose status was full and current when measured. */
  readonly current: number;
  readonly replicas: number;
  readonly rssBytes: number;
  /** V8 heap in use as the hub's /metrics reports it (no forced collection). */
  readonly heapBytes: number;
  /** The most the hub's memory cgroup has been charged so far in the run, when it runs in one. */
  readonly peakBytes: number | undefined;
}

/** The hub's RSS (/proc), heap (its nodejs_heap_size_used_bytes gauge) and its cgroup's peak now. */
export async function readHubMemory(context: ScaleContext): Promise<{ rssBytes: number; heapBytes: number; peakBytes: number | undefined }> {
  const hub = await runningHub(context);
  const [rssBytes, text, peakBytes] = await Promise.all([rssOf(hub.process.pid), controllerMetrics(hub.url), context.bench.hubCgroup?.peakBytes()]);
  const heap = parseMetricsText(text, ['promfleet_nodejs_heap_size_used_bytes'])[0]?.value;
  if (heap === undefined) throw new Error("the hub's /metrics has no promfleet_nodejs_heap_size_used_bytes");
  return { rssBytes, heapBytes: heap, peakBytes };
}

/**
 * Adds PrometheusClusters selecting every member until there are `total` (with the one the
 * earlier phases use), waits until each is current or `deadlineMs` has passed, and reads the
 * hub's memory: measured with what was reached, which the figures say.
 */
export async function memoryWithClusters(context: ScaleContext, members: number, total: number, deadlineMs: number): Promise<HubMemory> {
  const names = Array.from({ length: total - 1 }, (_, i) => `memory-${String(i + 1).padStart(2, '0')}`);
  const limit = pLimit(4);
  const started = performance.now();
  const generations = await Promise.all(names.map((name) => limit(() => createCluster(context, name))));
  const current = await Promise.all(
    names.map((name, i) =>
      untilCurrent(context, name, members, generations[i] ?? 1, Math.max(1, deadlineMs - (performance.now() - started))).then(
        () => true,
        () => false,
      ),
    ),
  );
  const replicas = context.observers.replicas
    .list()
    .filter((replica) => replica.metadata.name.startsWith('memory-') || replica.metadata.name.startsWith('scale-')).length;
  const memory = await readHubMemory(context);
  context.log(
    `N=${String(members)} × ${String(total)} PrometheusClusters: ${String(replicas)} replicas, ${String(current.filter(Boolean).length + 1)} current`,
  );
  return { members, clusters: total, current: current.filter(Boolean).length + 1, replicas, ...memory };
}
