import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { bundle } from '../../../scripts/release/bundle.ts';
import type { BenchmarkResult } from '../../harness.ts';
import type { BenchFleet } from '../../lib/bench-fleet.ts';
import { mib, readMemory, type MemoryReading } from '../../lib/process-memory.ts';

const SOURCES: Record<'hub' | 'operator', string> = { hub: 'packages/hub/src/main.ts', operator: 'packages/replica-operator/src/main.ts' };

/**
 * The idle controller as the images run it: the release's split bundle (no type stripping; code
 * it does not use neither parsed nor evaluated), started without leader election before the fleet holds anything,
 * and stopped after its reading.
 */
export async function idleReleaseBundle(bench: BenchFleet, component: 'hub' | 'operator', args: readonly string[], settleMs: number): Promise<MemoryReading> {
  const dir = await mkdtemp(join(tmpdir(), 'promfleet-bench-bundle-'));
  try {
    await bundle({ [component]: SOURCES[component] }, dir, 'esm-split', '0.0.0-bench');
    const started = await bench.startProcess(`${component}-release-bundle`, join(dir, `${component}.mjs`), [
      ...args,
      '--leader-elect=false',
      '--log-level=warn',
    ]);
    try {
      await sleep(settleMs);
      return await readMemory(started.process.pid, bench.inspectorPort(started));
    } finally {
      await started.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Idle memory by how the process runs: the sources (as tests and benchmarks run them) and the release bundle. */
export function idleByFormTable(process: string, sources: MemoryReading, release: MemoryReading): BenchmarkResult {
  const row = (form: string, reading: MemoryReading) => ({ process, form, 'RSS (MiB)': mib(reading.rssBytes), 'heap (MiB)': mib(reading.heapUsedBytes) });
  return {
    title: `Idle ${process}, by how it runs`,
    columns: ['process', 'form', 'RSS (MiB)', 'heap (MiB)'],
    rows: [row('sources (Node type stripping, as tests run it)', sources), row('release bundle (as the images run it)', release)],
    notes: ["The bundle is scripts/release/bundle.ts's, built in the run from the same commit."],
  };
}
