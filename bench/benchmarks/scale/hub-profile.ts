import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { round, type BenchmarkResult } from '../../harness.ts';
import { summarizeProfile, type ProfileSummary } from '../../lib/cpu-profile.ts';
import { startCpuProfile } from '../../lib/inspector.ts';
import { runningHub, type ScaleContext } from './scale-context.ts';

/** A phase's CPU profile of the hub: where its time went, and the file that holds all of it. */
export interface HubProfile {
  readonly members: number;
  readonly phase: string;
  readonly file: string;
  readonly summary: ProfileSummary;
}

/**
 * Runs `phase` with the hub's sampling profiler on (BENCH_SCALE_PROFILE=DIR) and writes the
 * profile to DIR, to open in Chrome's DevTools or speedscope. The profile covers the phase only;
 * a hub that restarts in it takes the profile with it, and nothing is reported.
 *
 * The hub's API server and the first member API server are profiled too, for the phase's first
 * `apiServerSeconds` (Go's profiler takes its length up front): `go tool pprof -top FILE` (Debian's
 * golang-go) says where their time went, which the hub's own profile cannot.
 */
export async function profiled<T>(
  context: ScaleContext,
  dir: string,
  members: number,
  phase: string,
  apiServerSeconds: number,
  run: () => Promise<T>,
): Promise<{ result: T; profile: HubProfile | undefined }> {
  const hub = await runningHub(context);
  const profiling = await startCpuProfile(context.bench.inspectorPort(hub));
  const servers = [context.bench.hubCluster, ...context.bench.servers.slice(0, 1)];
  const apiServers = Promise.allSettled(servers.map((server) => server.apiServer.cpuProfile(apiServerSeconds)));
  const result = await run();
  await mkdir(dir, { recursive: true });
  for (const [index, settled] of (await apiServers).entries()) {
    const name = servers[index]?.name ?? String(index);
    if (settled.status === 'rejected') {
      context.log(`N=${String(members)} ${phase}: no profile of the ${name} API server: ${String(settled.reason)}`);
      continue;
    }
    const file = join(dir, `apiserver-${name}-${phase}-${String(members)}.pprof`);
    await writeFile(file, settled.value);
    context.log(`N=${String(members)} ${phase}: the ${name} API server's CPU profile is in ${file} (go tool pprof -top ${file})`);
  }
  if (!context.bench.hubRunning || context.bench.hubProcess !== hub) return { result, profile: undefined };
  const profile = await profiling.stop();
  const file = join(dir, `hub-${phase}-${String(members)}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  context.log(`N=${String(members)} ${phase}: the hub's CPU profile is in ${file}`);
  return { result, profile: { members, phase, file, summary: summarizeProfile(profile) } };
}

/** Where the hub's CPU went in each profiled phase: by file, then by function. */
export function profileTables(profiles: readonly HubProfile[]): BenchmarkResult[] {
  return profiles.flatMap(({ members, phase, file, summary }) => {
    const title = `The hub's CPU in the ${phase} at N = ${String(members)}: ${String(round(summary.busyMs / 1000, 1))} s busy of ${String(round(summary.spanMs / 1000, 1))} s (${file})`;
    const rows = (shares: ProfileSummary['byFile']) =>
      shares.map(({ key, ms, share }) => ({ where: key, 'self (ms)': Math.round(ms), 'of busy': `${String(round(100 * share, 1))} %` }));
    return [
      { title: `${title}, by file`, columns: ['where', 'self (ms)', 'of busy'], rows: rows(summary.byFile) },
      {
        title: `${title}, by function`,
        columns: ['where', 'self (ms)', 'of busy'],
        rows: rows(summary.byFunction),
        notes: ['self: time in the function itself, not in what it calls; (garbage collector) and (program) are V8’s own.'],
      },
    ];
  });
}
