import { readFile } from 'node:fs/promises';

import { heapAfterGC } from './inspector.ts';

export interface MemoryReading {
  /** Resident set size from /proc/<pid>/status (VmRSS), after the collection. */
  readonly rssBytes: number;
  /** V8 heap in use right after a full garbage collection. */
  readonly heapUsedBytes: number;
}

/** Resident set size of a process now, from /proc/<pid>/status (VmRSS). */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for pid ${String(pid)}`);
  return Number(kib) * 1024;
}

/** A controller process's memory: a full collection through its inspector, then its heap and RSS. */
export async function readMemory(pid: number, inspectorPort: number): Promise<MemoryReading> {
  const heapUsedBytes = await heapAfterGC(inspectorPort);
  return { heapUsedBytes, rssBytes: await rssOf(pid) };
}

export const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
