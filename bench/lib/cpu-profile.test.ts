import { describe, expect, it } from 'vitest';

import { sourceOf, summarizeProfile, type CpuProfile } from './cpu-profile.ts';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → compose (hub) → parse (dependency); idle and GC beside them. */
const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5] },
    { id: 2, callFrame: frame('compose', 'file:///w/packages/hub/src/fanout/aggregate-status.ts', 9), children: [3] },
    { id: 3, callFrame: frame('parse', 'file:///w/node_modules/.pnpm/yaml@2.8.0/node_modules/yaml/dist/parse.js', 41) },
    { id: 4, callFrame: frame('(idle)', '') },
    { id: 5, callFrame: frame('(garbage collector)', '') },
  ],
  // Each sample counts the interval after it: compose 3 ms, parse 1 ms, idle 5 ms, GC 1 ms.
  samples: [2, 2, 3, 4, 4, 4, 2, 4, 5, 4],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('summarizeProfile', () => {
  it('counts self time per function and per file, idle left out, largest first', () => {
    const summary = summarizeProfile(profile);
    expect(summary.spanMs).toBe(10);
    // The last sample (idle) takes the mean interval: 10 ms over 10 samples.
    expect(summary.busyMs).toBe(5);
    expect(summary.byFunction).toEqual([
      { key: 'compose packages/hub/src/fanout/aggregate-status.ts:10', ms: 3, share: 0.6 },
      { key: 'parse yaml:42', ms: 1, share: 0.2 },
      { key: '(garbage collector)', ms: 1, share: 0.2 },
    ]);
    expect(summary.byFile.map(({ key, ms }) => [key, ms])).toEqual([
      ['packages/hub/src/fanout/aggregate-status.ts', 3],
      ['yaml', 1],
      ['(garbage collector)', 1],
    ]);
  });

  it('shares the span by hit counts when the profile has no sample times', () => {
    const summary = summarizeProfile({
      startTime: 0,
      endTime: 4000,
      nodes: [
        { id: 1, callFrame: frame('a', 'file:///w/packages/kube/src/a.ts'), hitCount: 3 },
        { id: 2, callFrame: frame('(idle)', ''), hitCount: 1 },
      ],
    });
    expect(summary.busyMs).toBe(3);
    expect(summary.byFile).toEqual([{ key: 'packages/kube/src/a.ts', ms: 3, share: 1 }]);
  });

  it('keeps only the top entries', () => {
    expect(summarizeProfile(profile, 1).byFunction).toHaveLength(1);
  });
});

describe('sourceOf', () => {
  it('names a file as this repository, a dependency or Node knows it', () => {
    expect(sourceOf('file:///w/packages/hub/src/hub.ts', 'f')).toBe('packages/hub/src/hub.ts');
    expect(sourceOf('file:///w/node_modules/.pnpm/@kubernetes+client-node@2.0.0/node_modules/@kubernetes/client-node/dist/x.js', 'f')).toBe(
      '@kubernetes/client-node',
    );
    expect(sourceOf('file:///w/node_modules/undici/lib/x.js', 'f')).toBe('undici');
    expect(sourceOf('node:internal/streams/readable', 'f')).toBe('node:internal/streams/readable');
    expect(sourceOf('', '(program)')).toBe('(program)');
    expect(sourceOf('', 'JSONParse')).toBe('(native)');
  });
});
