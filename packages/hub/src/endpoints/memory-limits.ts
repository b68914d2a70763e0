import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** Heap and RSS above which the endpoints API answers 503 instead of taking more load. */
export interface MemoryLimits {
  readonly maxHeapUsedBytes: number;
  /** 0: no RSS limit (no container memory limit found). */
  readonly maxRssBytes: number;
}

/** The share of a hard limit at which the API starts shedding: headroom for what is in flight. */
const SHED_AT = 0.85;

/**
 * The container's memory limit from its cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`),
 * or undefined when there is none ("max", or v1's "unlimited" near 2^63).
 */
export function cgroupMemoryLimit(read: (path: string) => string | undefined = readOrUndefined): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const text = read(path)?.trim();
    if (text === undefined || text === '' || text === 'max') continue;
    const bytes = Number(text);
    if (Number.isSafeInteger(bytes) && bytes > 0 && bytes < 2 ** 52) return bytes;
  }
  return undefined;
}

/**
 * Limits for the pressure handler: a share of V8's heap limit (past it the process dies with an
 * out-of-memory error) and of the container's memory limit (past it the kernel kills it).
 */
export function memoryLimits(heapSizeLimit = getHeapStatistics().heap_size_limit, containerLimit = cgroupMemoryLimit()): MemoryLimits {
  return {
    maxHeapUsedBytes: Math.floor(heapSizeLimit * SHED_AT),
    maxRssBytes: containerLimit === undefined ? 0 : Math.floor(containerLimit * SHED_AT),
  };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
