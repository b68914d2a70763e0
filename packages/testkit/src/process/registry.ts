import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Every process group the testkit starts, and the reaper that ends them if this process dies
 * without cleaning up. Normal exits are covered by the `exit` hook; SIGKILL and crashes by the
 * reaper, which notices that its stdin closed.
 */

const groups = new Set<number>();
let reaper: ChildProcess | undefined;

function startReaper(): ChildProcess {
  const script = fileURLToPath(new URL(`./reaper${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const child = spawn(process.execPath, [script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  // An unref'd pipe lets the test process exit; the kernel closes it, which wakes the reaper.
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.stdin.on('error', () => undefined);
  process.once('exit', () => {
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return child;
}

export function registerGroup(pgid: number): void {
  reaper ??= startReaper();
  groups.add(pgid);
  reaper.stdin?.write(`add ${String(pgid)}\n`);
}

export function unregisterGroup(pgid: number): void {
  groups.delete(pgid);
  reaper?.stdin?.write(`del ${String(pgid)}\n`);
}

/** Process group ids this process has started and not yet seen exit. */
export function liveGroups(): readonly number[] {
  return [...groups];
}

/** The reaper's pid, for tests that prove it cleans up. */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
