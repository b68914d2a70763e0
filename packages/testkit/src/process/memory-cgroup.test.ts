import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

import { afterEach, describe, expect, it } from 'vitest';

import { MemoryCgroup } from './memory-cgroup.ts';

const MIB = 2 ** 20;

/** Runs `script` with this Node inside the cgroup, as startNodeProcess does. */
function runIn(cgroup: MemoryCgroup, script: string): ReturnType<typeof spawnSync> {
  const { command, args } = cgroup.wrap(process.execPath, ['-e', script]);
  return spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
}

// The benchmarks hold the hub to its chart's memory limit with this; CI's machine (root, a
// writable memory controller) gives one, so its absence is a failure here, not a skip.
describe('MemoryCgroup', () => {
  let cgroup: MemoryCgroup | undefined;
  afterEach(async () => {
    await cgroup?.remove();
  });

  it('gives a process the limit a container would: Node sizes its heap from it, and going over it is an OOM kill', async () => {
    cgroup = await MemoryCgroup.create('promfleet-test', 256 * MIB);
    if (!cgroup) throw new Error('this machine gave no memory cgroup (a writable v1 memory hierarchy, or v2 with the memory controller)');
    expect(existsSync(cgroup.path)).toBe(true);

    const sized = runIn(cgroup, "console.log(JSON.stringify([process.constrainedMemory(), require('v8').getHeapStatistics().heap_size_limit]))");
    expect(sized.status, String(sized.stderr)).toBe(0);
    const [constrained, heapLimit] = JSON.parse(String(sized.stdout)) as [number, number];
    expect(constrained).toBe(256 * MIB);
    // Without the limit Node sizes its heap from the machine's memory (gigabytes here); with it,
    // from the limit (about 260 MiB: V8's smallest old generation, 256 MiB, and a small young one).
    expect(heapLimit).toBeLessThan(300 * MIB);
    expect(heapLimit).toBeLessThan(getHeapStatistics().heap_size_limit / 4);
    expect(await cgroup.oomKills()).toBe(0);

    const greedy = runIn(cgroup, 'const kept = []; for (let i = 0; i < 64; i++) kept.push(Buffer.alloc(8 * 2 ** 20, 1)); console.log(kept.length)');
    expect(greedy.signal).toBe('SIGKILL');
    expect(await cgroup.oomKills()).toBe(1);
    expect(await cgroup.peakBytes()).toBeGreaterThan(200 * MIB);

    await cgroup.remove();
    expect(existsSync(cgroup.path)).toBe(false);
    cgroup = undefined;
  });
});
