import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What a benchmark prints: a titled table, and notes on how to read it. */
export interface BenchmarkResult {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, string | number>[];
  readonly notes?: readonly string[];
}

export interface BenchmarkOptions {
  /** A tiny size that proves the benchmark still works (what `pnpm test` runs). */
  readonly smoke: boolean;
  readonly log: (line: string) => void;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchmarkOptions): Promise<BenchmarkResult[]>;
}

export function formatTable(result: BenchmarkResult): string {
  const widths = result.columns.map((column) => Math.max(column.length, ...result.rows.map((row) => String(row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    result.title,
    line(result.columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...result.rows.map((row) => line(result.columns.map((column) => String(row[column] ?? '')))),
    ...(result.notes ?? []).map((note) => `  ${note}`),
  ].join('\n');
}

/** Percentile of sorted-or-not samples (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** A full garbage collection, for memory figures; works with or without --expose-gc. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
