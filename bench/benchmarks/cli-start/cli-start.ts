import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ENTRIES } from '@promfleet/testkit';

import { bundle } from '../../../scripts/release/bundle.ts';
import { percentile, round, type Benchmark } from '../../harness.ts';

/** One valid PrometheusCluster: what `promfleet validate -f` reads in the benchmark. */
const MANIFEST = `apiVersion: promfleet.io/v1alpha1
kind: PrometheusCluster
metadata:
  name: cloud-clusters
  namespace: platform
spec:
  clusterSelector:
    matchLabels: { platform: cloud }
  configMap: prometheus-config
  bucketSecret: s3-bucket
`;

// Loaded with --import into every process measured, the bare baseline included: the peak RSS
// the kernel saw (getrusage's ru_maxrss), written where the parent reads it.
const PEAK_REPORTER = `import { writeFileSync } from 'node:fs';
process.on('exit', () => { writeFileSync(process.env.PROMFLEET_BENCH_PEAK_FILE, String(process.resourceUsage().maxRSS)); });
`;

interface Sample {
  readonly ms: number;
  readonly peakKiB: number;
}

interface Case {
  readonly command: string;
  readonly form: string;
  readonly args: readonly string[];
  readonly goal: boolean;
}

async function runOnce(args: readonly string[], reporter: string, peakFile: string): Promise<Sample> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', reporter, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PROMFLEET_BENCH_PEAK_FILE: peakFile, NODE_OPTIONS: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exit) => {
      if (exit !== 0) reject(new Error(`node ${args.join(' ')} exited ${String(exit)}: ${stderr.trim()}`));
      else resolve();
    });
  });
  const ms = performance.now() - started;
  return { ms, peakKiB: Number(await readFile(peakFile, 'utf8')) };
}

export const cliStartBenchmark: Benchmark = {
  name: 'cli-start',
  description: 'promfleet --help and validate -f on one file against a bare `node -e 0`: wall time and peak RSS, the release bundles and the sources',
  async run({ smoke, log }) {
    const runs = smoke ? 2 : 15;
    const dir = await mkdtemp(join(tmpdir(), 'promfleet-cli-start-'));
    try {
      const reporter = join(dir, 'peak.mjs');
      const manifest = join(dir, 'cluster.yaml');
      await Promise.all([writeFile(reporter, PEAK_REPORTER), writeFile(manifest, MANIFEST)]);
      log('bundling the CLI as the release does (esbuild): split, as the npm package ships it, and as the one-file download');
      await Promise.all([
        bundle({ promfleet: 'packages/cli/src/main.ts' }, join(dir, 'split'), 'esm-split', '0.0.0-bench'),
        bundle({ promfleet: 'packages/cli/src/main.ts' }, join(dir, 'single'), 'esm', '0.0.0-bench'),
      ]);
      const split = join(dir, 'split', 'promfleet.mjs');
      const single = join(dir, 'single', 'promfleet.mjs');
      const source = ['--conditions=source', ENTRIES.cli];
      const bareNode: Case = { command: 'node -e 0', form: 'bare Node', args: ['-e', '0'], goal: false };
      const cases: Case[] = [
        bareNode,
        { command: 'promfleet --help', form: 'npm package (split bundle)', args: [split, '--help'], goal: true },
        { command: 'promfleet validate -f (one file)', form: 'npm package (split bundle)', args: [split, 'validate', '-f', manifest], goal: true },
        { command: 'promfleet --help', form: 'promfleet.mjs (one file)', args: [single, '--help'], goal: false },
        { command: 'promfleet validate -f (one file)', form: 'promfleet.mjs (one file)', args: [single, 'validate', '-f', manifest], goal: false },
        { command: 'promfleet --help', form: 'sources (type stripping)', args: [...source, '--help'], goal: false },
        { command: 'promfleet validate -f (one file)', form: 'sources (type stripping)', args: [...source, 'validate', '-f', manifest], goal: false },
      ];
      const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
      // Interleaved, so a burst of load on the shared machine falls on every case alike; one warm-up round first.
      for (let round = -1; round < runs; round++) {
        for (const c of cases) {
          const sample = await runOnce(c.args, reporter, join(dir, 'peak'));
          if (round >= 0) samples.get(c)?.push(sample);
        }
      }
      const bare = samples.get(bareNode) ?? [];
      const bareMs = percentile(
        bare.map((s) => s.ms),
        50,
      );
      const rows = cases.map((c) => {
        const taken = samples.get(c) ?? [];
        const ms = percentile(
          taken.map((s) => s.ms),
          50,
        );
        const peakMiB = percentile(
          taken.map((s) => s.peakKiB / 1024),
          50,
        );
        const ratio = ms / bareMs;
        return {
          command: c.command,
          form: c.form,
          'p50 (ms)': Math.round(ms),
          '× bare Node': round(ratio, 2),
          'peak RSS p50 (MiB)': round(peakMiB),
          'goal (≤ 4×, < 70 MiB)': c.goal ? (ratio <= 4 && peakMiB < 70 ? 'met' : 'missed') : '',
        };
      });
      log(`${String(runs)} runs per case`);
      return [
        {
          title: `CLI start-up: ${String(runs)} interleaved runs per case`,
          columns: ['command', 'form', 'p50 (ms)', '× bare Node', 'peak RSS p50 (MiB)', 'goal (≤ 4×, < 70 MiB)'],
          rows,
          notes: [
            "Wall time from spawn to exit; peak RSS is the process's getrusage maximum, reported at exit by a module every case preloads (the baseline too).",
            "The npm package ships the CLI split: an entry and the chunks each command loads when it runs. `promfleet.mjs`, the one-file download, and the standalone binary parse the whole CLI before running a line; the sources pay for Node's type stripping on top.",
          ],
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
