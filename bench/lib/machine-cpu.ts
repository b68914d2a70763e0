import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

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
  /** By pid: its label and CPU ticks so far. */
  readonly processes: ReadonlyMap<number, { readonly label: string; readonly ticks: number }>;
}

/** What a process is, from its command line (undefined: leave it out). */
export type ProcessLabel = (args: readonly string[]) => string | undefined;

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
    for (const [pid, { label, ticks }] of end.processes) {
      const used = (ticks - (start.processes.get(pid)?.ticks ?? 0)) / USER_HZ;
      byProcess.set(label, (byProcess.get(label) ?? 0) + used);
    }
    return { cores: availableParallelism(), seconds: (end.at - start.at) / 1000, busy: (end.busyTicks - start.busyTicks) / USER_HZ, byProcess };
  }

  async #snapshot(): Promise<Snapshot> {
    const [busyTicks, processes] = await Promise.all([machineBusyTicks(), this.#descendants()]);
    return { at: performance.now(), busyTicks, processes };
  }

  async #descendants(): Promise<Map<number, { label: string; ticks: number }>> {
    const all = new Map<number, { parent: number; ticks: number; args: string[] }>();
    for (const entry of await readdir('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const [stat, cmdline] = await Promise.all([readFile(`/proc/${entry}/stat`, 'utf8'), readFile(`/proc/${entry}/cmdline`, 'utf8')]);
        // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        all.set(pid, { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), args: cmdline.split('\0') });
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
    const ours = new Map<number, { label: string; ticks: number }>();
    const self = all.get(process.pid);
    if (self) ours.set(process.pid, { label: 'benchmark', ticks: self.ticks });
    for (const [pid, { ticks, args }] of all) {
      const label = pid !== process.pid && isOurs(pid) ? this.#label(args) : undefined;
      if (label !== undefined) ours.set(pid, { label, ticks });
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
