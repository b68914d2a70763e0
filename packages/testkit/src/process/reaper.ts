// The reaper: a tiny process that outlives a crashed test process and ends the process groups
// it started. The parent writes "add <pgid>" and "del <pgid>" lines on our stdin; when stdin
// closes — the parent exited, was killed with SIGKILL, or crashed — every group still
// registered gets SIGTERM, then SIGKILL. Plain JavaScript-compatible TypeScript, no imports
// beyond node:, so it starts in milliseconds.
import { createInterface } from 'node:readline';

const groups = new Set<number>();

function signalAll(signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      groups.delete(pgid);
    }
  }
}

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('SIGHUP', () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, id] = line.trim().split(' ');
  const pgid = Number(id);
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  if (verb === 'add') groups.add(pgid);
  if (verb === 'del') groups.delete(pgid);
});
lines.on('close', () => {
  signalAll('SIGTERM');
  signalAll('SIGCONT');
  setTimeout(() => {
    signalAll('SIGKILL');
    process.exit(0);
  }, 3000);
});
