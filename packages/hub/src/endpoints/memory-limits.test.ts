import { describe, expect, it } from 'vitest';

import { cgroupMemoryLimit, memoryLimits } from './memory-limits.ts';

const files = (contents: Record<string, string>) => (path: string) => contents[path];

describe('memory limits of the endpoints API', () => {
  it('reads the container limit from cgroup v2, then v1, and none when unlimited', () => {
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '536870912\n' }))).toBe(536_870_912);
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n', '/sys/fs/cgroup/memory/memory.limit_in_bytes': '268435456\n' }))).toBe(268_435_456);
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n' }))).toBeUndefined();
    expect(cgroupMemoryLimit(files({}))).toBeUndefined();
  });

  it('sheds at 85 % of the V8 heap limit and of the container limit', () => {
    expect(memoryLimits(1_000_000, 512 * 2 ** 20)).toEqual({ maxHeapUsedBytes: 850_000, maxRssBytes: Math.floor(512 * 2 ** 20 * 0.85) });
    expect(memoryLimits(1_000_000, undefined)).toEqual({ maxHeapUsedBytes: 850_000, maxRssBytes: 0 });
  });
});
