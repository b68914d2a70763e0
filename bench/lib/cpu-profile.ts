/** V8's CPU profile as the inspector's `Profiler.stop` returns it (and `--cpu-prof` writes it). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** Where a profile's time went, by one key (a function, a file). */
export interface ProfileShare {
  readonly key: string;
  readonly ms: number;
  /** Of the time the process was on a CPU (idle samples left out). */
  readonly share: number;
}

export interface ProfileSummary {
  /** Wall-clock time the profile spans. */
  readonly spanMs: number;
  /** Time the process was sampled busy: everything but `(idle)`. */
  readonly busyMs: number;
  readonly byFunction: readonly ProfileShare[];
  readonly byFile: readonly ProfileShare[];
}

/**
 * A source file as a reader of this repository knows it: `packages/hub/src/…`, a dependency by
 * its package name, Node's own modules as `node:…`; V8's pseudo-frames (`(garbage collector)`,
 * `(program)`) as they are.
 */
export function sourceOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const dependency = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (dependency?.[1]) return dependency[1];
  const own = /\/((?:packages|bench|e2e|scripts)\/.*)$/.exec(path);
  if (own?.[1]) return own[1];
  return path.startsWith('node:') ? path : `node:${path}`;
}

/**
 * Self time by function and by file, largest first (the first `top` of each). Each sample counts
 * the interval that follows it, as V8's own tools count it; without sample times, hit counts
 * share the profile's span.
 */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples?.length && samples.length === timeDeltas?.length) {
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] ?? 0;
      // The last sample has no successor: it takes the mean interval.
      const interval = timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / samples.length;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, interval));
    }
  } else {
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    const perHit = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const node of profile.nodes) if (node.hitCount) selfUs.set(node.id, node.hitCount * perHit);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busyUs += us;
    const file = sourceOf(frame.url, frame.functionName);
    const name = frame.url === '' ? file : `${frame.functionName || '(anonymous)'} ${file}:${String(frame.lineNumber + 1)}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const ranked = (totals: Map<string, number>): ProfileShare[] =>
    [...totals]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([key, us]) => ({ key, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    spanMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busyUs / 1000,
    byFunction: ranked(byFunction),
    byFile: ranked(byFile),
  };
}
