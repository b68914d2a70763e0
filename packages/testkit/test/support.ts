import { readFileSync } from 'node:fs';

import type { Fleet } from '../src/index.ts';

export { eventually } from '../src/index.ts';

type Fields<T> = T extends Date ? T : T extends readonly (infer U)[] ? Fields<U>[] : T extends object ? { [K in keyof T]: Fields<T[K]> } : T;

/**
 * A client-node model written as an object literal, type-checked field by field. The models are
 * classes only as containers of data (the serializer reads them field by field), which lint's
 * no-unsafe-class-instance-assignment cannot know.
 */
export function model<T>(fields: Fields<T>): T {
  return fields as unknown as T;
}

/**
 * Whether a process still runs. A zombie does not: it has exited and only waits for its parent
 * (init, for orphans) to collect its status.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    return (
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.startsWith('Z') !== true
    );
  } catch {
    return false;
  }
}

/** The pids of every process a fleet runs: etcd, the API servers and the controller-managers. */
export function fleetPids(fleet: Fleet): number[] {
  const pids = [fleet.etcd.process.pid];
  for (const cluster of fleet.clusters) {
    const processes = [cluster.apiServer.process, cluster.controllerManager?.process];
    for (const process of processes) if (process) pids.push(process.pid);
  }
  return pids;
}
