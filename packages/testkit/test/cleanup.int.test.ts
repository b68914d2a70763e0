import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { liveGroups, startFleet, startNodeProcess, startRedis } from '../src/index.ts';
import { eventually, fleetPids, isRunning } from './support.ts';

describe('process cleanup', () => {
  it('leaves no process and no data behind after disposal', async () => {
    const started = await (async () => {
      await using fleet = await startFleet({ clusters: ['disposed'], controllerManager: true });
      await using redis = await startRedis();
      const pids = [...fleetPids(fleet), redis.process?.pid ?? 0];
      expect(pids).toHaveLength(4);
      expect(pids.every(isRunning)).toBe(true);
      return { pids, dirs: [fleet.dir, redis.dir] };
    })();
    for (const pid of started.pids) {
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(liveGroups()).not.toContain(pid);
    }
    for (const dir of started.dirs) expect(existsSync(dir)).toBe(false);
  });

  it("removes a Node process's log folder when it stops", async () => {
    const started = await startNodeProcess({ name: 'ready-server', entry: fileURLToPath(new URL('./fixtures/ready-server.ts', import.meta.url)), args: [] });
    // The child's output reaches the file through a pipe and a write stream: ready may answer first.
    await eventually('the ready line in the log file', () => readFileSync(started.logFile, 'utf8').includes('ready on 127.0.0.1:'));
    await started.stop();
    expect(started.process.running).toBe(false);
    expect(existsSync(dirname(started.logFile))).toBe(false);
    // What it printed is still at hand for error messages.
    expect(started.process.logTail()).toContain('ready on 127.0.0.1:');
  });

  it('ends every process of a test process killed with SIGKILL (the reaper)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/orphan-fleet.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let pids: number[] = [];
    let dirs: string[] = [];
    try {
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code) => {
          reject(new Error(`fixture exited (${String(code)}):\n${stderr}`));
        }),
      );
      const lines = createInterface({ input: child.stdout });
      const line = await Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
      const printed = JSON.parse(line) as { pids: Record<string, number>; dirs: string[] };
      pids = Object.values(printed.pids);
      dirs = printed.dirs;
      expect(pids).toHaveLength(5);
      expect(pids.every(isRunning)).toBe(true);
      child.kill('SIGKILL');
      // The orphans' parent is now init, which collects their exit status on its own schedule;
      // isRunning counts a zombie as ended.
      await eventually('every orphan ended', () => Promise.resolve(pids.every((pid) => !isRunning(pid)) ? true : undefined), 10_000);
    } finally {
      child.kill('SIGKILL');
      // Folders are not the reaper's job: a killed test process leaves its scratch data.
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
