import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

import { parseProcStat, USER_HZ } from './process-cpu.ts';

/** The machine's CPU over a span, and how much of it went to each process the benchmark started. */
export interface MachineCpu {
  readonly cores: number;
  readonly seconds: number;
  /** CPU seconds the whole machine spent busy (not idle, not waiting for I/O). */
  readonly busy: number;
  /** CPU seconds by process, named by `label` (the benchmark's own process is `benchmark`). */
  readonly byProcess: ReadonlyMap<string, number>;
}

interface Snapshot {
  readonly at: number;
  readonly busyTicks: number;
  /** By pid: its label and CPU seconds so far. */
  readonly processes: ReadonlyMap<number, { readonly label: string; readonly cpuSeconds: number }>;
}

/** What a process is, from its command line. */
export type ProcessLabel = (args: readonly string[]) => string;

/**
 * Reads the machine's CPU and that of this process's descendants (API servers, etcd, the
 * controllers) at `start` and again at `stop`: on a shared machine a latency is only readable
 * beside how busy the machine was, and who kept it so.
 */
export class MachineCpuReader {
  readonly #label: ProcessLabel;
  #start: Snapshot | undefined;

  constructor(label: ProcessLabel) {
    this.#label = label;
  }

  async start(): Promise<this> {
    this.#start = await this.#snapshot();
    return this;
  }

  async stop(): Promise<MachineCpu> {
    const start = this.#start;
    if (!start) throw new Error('MachineCpuReader.stop before start');
    const end = await this.#snapshot();
    const byProcess = new Map<string, number>();
    // A process that started or ended within the span is counted from what /proc shows of it.
    for (const [pid, { label, cpuSeconds }] of end.processes) {
      const used = cpuSeconds - (start.processes.get(pid)?.cpuSeconds ?? 0);
      byProcess.set(label, (byProcess.get(label) ?? 0) + used);
    }
    return { cores: availableParallelism(), seconds: (end.at - start.at) / 1000, busy: (end.busyTicks - start.busyTicks) / USER_HZ, byProcess };
  }

  async #snapshot(): Promise<Snapshot> {
    const [busyTicks, processes] = await Promise.all([machineBusyTicks(), this.#descendants()]);
    return { at: performance.now(), busyTicks, processes };
  }

  async #descendants(): Promise<Map<number, { label: string; cpuSeconds: number }>> {
    const all = new Map<number, { parent: number; cpuSeconds: number; args: string[] }>();
    for (const entry of await readdir('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const [stat, cmdline] = await Promise.all([readFile(`/proc/${entry}/stat`, 'utf8'), readFile(`/proc/${entry}/cmdline`, 'utf8')]);
        all.set(pid, { ...parseProcStat(stat), args: cmdline.split('\0') });
      } catch {
        // Ended while being read.
      }
    }
    const isOurs = (pid: number): boolean => {
      for (let current = all.get(pid), hops = 0; current && hops < 64; current = all.get(current.parent), hops++) {
        if (current.parent === process.pid) return true;
      }
      return false;
    };
    const ours = new Map<number, { label: string; cpuSeconds: number }>();
    for (const [pid, { cpuSeconds, args }] of all) {
      if (pid === process.pid) ours.set(pid, { label: 'benchmark', cpuSeconds });
      else if (isOurs(pid)) ours.set(pid, { label: this.#label(args), cpuSeconds });
    }
    return ours;
  }
}

/** Busy ticks of all CPUs so far: /proc/stat's first line less idle and iowait. */
async function machineBusyTicks(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}
