// pnpm bench [name ...] [--smoke]: runs the benchmarks, prints their tables, and (unless smoke)
// writes bench/results/<timestamp>.json with the machine they ran on.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { BENCHMARKS } from './benchmarks/index.ts';
import { formatTable, type BenchmarkResult } from './harness.ts';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const names = args.filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (have ${BENCHMARKS.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const selected = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
const machine = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
console.log(`machine: ${String(machine.cpus)} × ${machine.cpu}, ${String(machine.memoryGiB)} GiB, Node ${machine.node}${smoke ? ' (smoke sizes)' : ''}\n`);

const results: Record<string, BenchmarkResult[]> = {};
for (const benchmark of selected) {
  console.log(`== ${benchmark.name}: ${benchmark.description}`);
  const started = performance.now();
  results[benchmark.name] = await benchmark.run({
    smoke,
    log: (line) => {
      console.log(`   ${line}`);
    },
  });
  for (const result of results[benchmark.name] ?? []) console.log(`\n${formatTable(result)}\n`);
  console.log(`   (${String(Math.round((performance.now() - started) / 1000))} s)\n`);
}
if (!smoke) {
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
