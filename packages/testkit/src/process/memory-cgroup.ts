import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = '/sys/fs/cgroup';

/** Where the files of a memory cgroup are called what, in cgroup v1 and v2. */
interface Layout {
  readonly limit: string;
  readonly peak: string;
  /** The file with an `oom_kill N` line. */
  readonly events: string;
}

const V1: Layout = { limit: 'memory.limit_in_bytes', peak: 'memory.max_usage_in_bytes', events: 'memory.oom_control' };
/** Cgroups this process has made, for unique names. */
let created = 0;

const V2: Layout = { limit: 'memory.max', peak: 'memory.peak', events: 'memory.events' };

/**
 * A memory cgroup below this process's own, with a limit: a controller run in it gets the memory
 * a container limit gives it, and the same treatment — Node sizes its V8 heap from the limit, as
 * it does in a pod, and the kernel kills the process that goes over it. `create` answers
 * undefined where the machine does not let this process make one (no writable memory
 * controller); callers say the figure was taken without a limit.
 */
export class MemoryCgroup {
  readonly path: string;
  readonly limitBytes: number;
  readonly #layout: Layout;

  private constructor(path: string, limitBytes: number, layout: Layout) {
    this.path = path;
    this.limitBytes = limitBytes;
    this.#layout = layout;
  }

  static async create(name: string, limitBytes: number): Promise<MemoryCgroup | undefined> {
    const own = await ownMemoryCgroup();
    if (!own) return undefined;
    const path = join(own.path, `${name}-${String(process.pid)}-${String(++created)}`);
    try {
      await mkdir(path);
    } catch {
      return undefined;
    }
    const cgroup = new MemoryCgroup(path, limitBytes, own.layout);
    try {
      await writeFile(join(path, own.layout.limit), String(limitBytes));
    } catch {
      await cgroup.remove();
      return undefined;
    }
    return cgroup;
  }

  /**
   * A command that joins the cgroup and then becomes `command` (exec: the same pid, so signals
   * and the pid's /proc files are the command's own).
   */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] } {
    return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', join(this.path, 'cgroup.procs'), command, ...args] };
  }

  /** The most the cgroup's processes have used at once (where the kernel reports it). */
  async peakBytes(): Promise<number | undefined> {
    const text = await readFile(join(this.path, this.#layout.peak), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : Number(text.trim());
  }

  /** How many processes the kernel killed for going over the limit. */
  async oomKills(): Promise<number> {
    const text = await readFile(join(this.path, this.#layout.events), 'utf8').catch(() => '');
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Removes the cgroup once its processes are gone (they must have been stopped). */
  async remove(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await rmdir(this.path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        // EBUSY until the kernel has taken the exited processes out.
        await sleep(100);
      }
    }
  }
}

/** This process's memory cgroup: v1's memory hierarchy, or v2's unified one with the memory controller. */
async function ownMemoryCgroup(): Promise<{ path: string; layout: Layout } | undefined> {
  const lines = (await readFile('/proc/self/cgroup', 'utf8').catch(() => '')).split('\n');
  const v1 = lines.map((line) => line.split(':')).find((fields) => fields[1]?.split(',').includes('memory'));
  if (v1?.[2] !== undefined) return { path: join(ROOT, 'memory', v1[2]), layout: V1 };
  const v2 = lines.find((line) => line.startsWith('0::'))?.slice(3);
  const controllers = await readFile(join(ROOT, 'cgroup.controllers'), 'utf8').catch(() => '');
  if (v2 !== undefined && controllers.split(/\s+/).includes('memory')) return { path: join(ROOT, v2), layout: V2 };
  return undefined;
}
