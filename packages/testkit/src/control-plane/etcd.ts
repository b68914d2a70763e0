import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { waitFor } from '../http.ts';
import { ManagedProcess } from '../process/managed-process.ts';
import { freePort } from '../process/ports.ts';

/** One etcd for a whole fleet; each API server keeps its data under its own `--etcd-prefix`. */
export class Etcd {
  readonly url: string;
  readonly process: ManagedProcess;

  private constructor(url: string, process: ManagedProcess) {
    this.url = url;
    this.process = process;
  }

  static async start(binary: string, dir: string, attempts = 3): Promise<Etcd> {
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = [await freePort(), await freePort()];
      const dataDir = join(dir, `data-${String(attempt)}`);
      await mkdir(dataDir, { recursive: true });
      const url = `http://127.0.0.1:${String(clientPort)}`;
      const process = ManagedProcess.spawn({
        name: 'etcd',
        command: binary,
        args: [
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${url}`,
          `--advertise-client-urls=${url}`,
          `--listen-peer-urls=http://127.0.0.1:${String(peerPort)}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${String(peerPort)}`,
          `--initial-cluster=default=http://127.0.0.1:${String(peerPort)}`,
          '--log-level=warn',
          '--logger=zap',
        ],
        logFile: join(dir, 'etcd.log'),
      });
      try {
        await waitFor(
          'etcd',
          async () => {
            const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
            return response.ok && ((await response.json()) as { health?: string }).health === 'true';
          },
          { timeoutMs: 20_000, failFast: () => (process.running ? undefined : `exited: ${process.logTail(5)}`) },
        );
        return new Etcd(url, process);
      } catch (error) {
        await process.stop();
        if (attempt >= attempts) throw error;
      }
    }
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
