import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { chosenPortRange, ephemeralPortRange, exitedForTakenPort, freePort } from './ports.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function procFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ports-'));
  dirs.push(dir);
  const file = join(dir, 'ip_local_port_range');
  writeFileSync(file, content);
  return file;
}

describe('ports', () => {
  it('reads the kernel ephemeral range, and falls back to Linux default when the file is missing or garbage', () => {
    expect(ephemeralPortRange(procFile('40000\t50000\n'))).toEqual({ low: 40000, high: 50000 });
    expect(ephemeralPortRange(procFile('nonsense'))).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralPortRange(procFile('50000 40000'))).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralPortRange('/nonexistent/ip_local_port_range')).toEqual({ low: 32768, high: 60999 });
  });

  it('chooses below the ephemeral range, or nowhere when that leaves no room', () => {
    expect(chosenPortRange({ low: 32768, high: 60999 })).toEqual({ low: 10000, high: 32767 });
    expect(chosenPortRange({ low: 10500, high: 60999 })).toBeUndefined();
  });

  it('hands out free ports outside the ephemeral range that can then be bound', async () => {
    const ephemeral = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      if (chosenPortRange(ephemeral)) expect(port < ephemeral.low || port > ephemeral.high, `port ${String(port)}`).toBe(true);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });

  it('never hands out a port something is listening on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      // A one-port range holding only the taken port: every pick fails, so it falls back to the kernel.
      const port = await freePort({ low: taken, high: taken });
      expect(port).not.toBe(taken);
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });

  it('tells a taken port from any other exit', () => {
    expect(exitedForTakenPort(false, 'listen tcp 127.0.0.1:43403: bind: address already in use')).toBe(true);
    expect(exitedForTakenPort(true, 'bind: address already in use')).toBe(false);
    expect(exitedForTakenPort(false, 'panic: etcd unreachable')).toBe(false);
  });
});
