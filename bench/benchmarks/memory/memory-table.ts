import { round, type BenchmarkResult } from '../../harness.ts';
import { mib, type MemoryReading } from '../../lib/process-memory.ts';

export interface Stage {
  readonly name: string;
  readonly reading: MemoryReading;
  /** Objects in the process's caches and their JSON size. */
  readonly cached: { readonly objects: number; readonly bytes: number };
  /** What this stage added over the previous one, to express the growth per unit (member, replica). */
  readonly added?: { readonly unit: string; readonly count: number };
}

const kib = (bytes: number) => round(bytes / 1024, 1);

/** One row per stage: against the first (idle) stage, and the growth per unit added since the previous one. */
export function memoryTable(title: string, stages: readonly Stage[], notes: readonly string[]): BenchmarkResult {
  const idle = stages[0];
  const rows = stages.map((stage, i) => {
    const previous = stages[i - 1];
    const per = (value: number) => (previous && stage.added ? kib(value / stage.added.count) : '-');
    const addedJSON = previous ? stage.cached.bytes - previous.cached.bytes : 0;
    const addedHeap = previous ? stage.reading.heapUsedBytes - previous.reading.heapUsedBytes : 0;
    return {
      stage: stage.name,
      'RSS (MiB)': mib(stage.reading.rssBytes),
      'heap (MiB)': mib(stage.reading.heapUsedBytes),
      'RSS / idle': idle ? round(stage.reading.rssBytes / idle.reading.rssBytes, 2) : '-',
      'heap / idle': idle ? round(stage.reading.heapUsedBytes / idle.reading.heapUsedBytes, 2) : '-',
      'JSON cached (MiB)': mib(stage.cached.bytes),
      per: stage.added?.unit ?? '-',
      'ΔRSS / unit (KiB)': per(stage.reading.rssBytes - (previous?.reading.rssBytes ?? 0)),
      'Δheap / unit (KiB)': per(addedHeap),
      'ΔJSON / unit (KiB)': per(addedJSON),
      'Δheap / ΔJSON': addedJSON > 0 ? round(addedHeap / addedJSON, 2) : '-',
    };
  });
  return {
    title,
    columns: [
      'stage',
      'RSS (MiB)',
      'heap (MiB)',
      'RSS / idle',
      'heap / idle',
      'JSON cached (MiB)',
      'per',
      'ΔRSS / unit (KiB)',
      'Δheap / unit (KiB)',
      'ΔJSON / unit (KiB)',
      'Δheap / ΔJSON',
    ],
    rows,
    notes: [
      "RSS: VmRSS of the process; heap: V8 heap in use right after a full collection requested through the process's inspector.",
      'Δ… / unit: what the stage added over the previous stage, divided by the members or replicas it added.',
      ...notes,
    ],
  };
}
