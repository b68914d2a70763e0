import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture Node runs on). */
export const USER_HZ = 100;

/** A process's parent and the CPU seconds it has used so far (user + system), from the text of its /proc/<pid>/stat. */
export function parseProcStat(stat: string): { parent: number; cpuSeconds: number } {
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // ppid is field 4 of the whole line, utime and stime fields 14 and 15: 1, 11 and 12 after the name.
  const parent = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(parent) || !Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc/<pid>/stat');
  return { parent, cpuSeconds: (utime + stime) / USER_HZ };
}

/** CPU seconds a process has used so far (user + system), from /proc/<pid>/stat. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  return parseProcStat(await readFile(`/proc/${String(pid)}/stat`, 'utf8')).cpuSeconds;
}
