import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { request } from 'node:https';

import { waitFor } from '../http.ts';
import { scratchRoot } from '../paths.ts';
import { ManagedProcess } from './managed-process.ts';
import type { MemoryCgroup } from './memory-cgroup.ts';
import { freePort } from './ports.ts';

export interface NodeProcess {
  readonly process: ManagedProcess;
  /** `http://127.0.0.1:PORT` (`https://` when it serves TLS), where it serves /metrics, /healthz and /readyz. */
  readonly url: string;
  /** The CA its TLS certificate is signed by, when it serves TLS. */
  readonly ca?: string;
  readonly port: number;
  /** Its output; removed with its folder by `stop` (`process.logTail()` keeps the last lines). */
  readonly logFile: string;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point of this repository (a controller's `main.ts`) as its own
 * process — as production runs it — with `--listen` on a free loopback port, and waits until it
 * answers `readyPath`. Registered with the reaper like every testkit process.
 */
export async function startNodeProcess(options: {
  name: string;
  entry: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  readyPath?: string;
  timeoutMs?: number;
  /** It serves TLS (it was given a certificate in `args`) signed by this CA. */
  tlsCA?: string;
  /** Run it under this cgroup's memory limit, as a container limit would. */
  cgroup?: MemoryCgroup;
}): Promise<NodeProcess> {
  const port = await freePort();
  const { tlsCA } = options;
  const url = `${tlsCA === undefined ? 'http' : 'https'}://127.0.0.1:${String(port)}`;
  const logFile = join(mkdtempSync(join(scratchRoot(), `promfleet-${options.name}-`)), `${options.name}.log`);
  const node = {
    command: globalThis.process.execPath,
    args: ['--conditions=source', options.entry, `--listen=127.0.0.1:${String(port)}`, ...options.args],
  };
  const process = ManagedProcess.spawn({
    name: options.name,
    ...(options.cgroup ? options.cgroup.wrap(node.command, node.args) : node),
    env: { ...globalThis.process.env, ...options.env },
    logFile,
  });
  try {
    await waitFor(
      options.name,
      async () => {
        const path = options.readyPath ?? '/readyz';
        if (tlsCA !== undefined) return (await httpsStatus(`${url}${path}`, tlsCA)) === 200;
        return (await fetch(`${url}${path}`, { signal: AbortSignal.timeout(1000) })).ok;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100, failFast: () => (process.running ? undefined : `exited:\n${process.logTail()}`) },
    );
  } catch (error) {
    await process.stop();
    await rm(dirname(logFile), { recursive: true, force: true });
    throw error;
  }
  return {
    process,
    url,
    port,
    logFile,
    ...(tlsCA === undefined ? {} : { ca: tlsCA }),
    stop: async () => {
      await process.stop();
      await rm(dirname(logFile), { recursive: true, force: true });
    },
  };
}

/** The status of an HTTPS GET trusting only `ca`. */
export function httpsStatus(url: string, ca: string, headers: Readonly<Record<string, string>> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers, agent: false, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
