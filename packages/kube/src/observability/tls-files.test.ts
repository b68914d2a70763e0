import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClusterPKI, eventually, type ClusterPKI } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpServer } from './http-server.ts';
import { silentLogger } from './logger.ts';
import { KitMetrics } from './metrics.ts';
import { readTlsPair, TlsFilesError } from './tls-files.ts';

let dir: string;
let first: ClusterPKI;
let second: ClusterPKI;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promfleet-tls-'));
  const [a, b] = await Promise.all(['a', 'b'].map(async (name) => createClusterPKI(mkdtempSync(join(dir, `${name}-`)), name)));
  if (!a || !b) throw new Error('no PKI');
  [first, second] = [a, b];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** GET over a new connection trusting only `ca`: the status, or the TLS error. */
function get(port: number, ca: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', ca, agent: false, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
    req.end();
  });
}

describe('TLS serving', () => {
  it('refuses files it cannot use, naming them and nothing of their content', () => {
    const missing = join(dir, 'missing.crt');
    expect(() => readTlsPair({ certFile: missing, keyFile: first.servingKeyFile })).toThrow(`cannot read the TLS certificate file ${missing}`);
    expect(() => readTlsPair({ certFile: first.servingCertFile, keyFile: second.servingKeyFile })).toThrow(TlsFilesError);
    expect(() => readTlsPair({ certFile: first.servingCertFile, keyFile: second.servingKeyFile })).toThrow(
      `${first.servingCertFile} and ${second.servingKeyFile} are not a PEM certificate and its private key`,
    );
    expect(() =>
      createHttpServer({ metrics: new KitMetrics(), logger: silentLogger, tls: { certFile: first.servingKeyFile, keyFile: first.servingKeyFile } }),
    ).toThrow(TlsFilesError);
  });

  it('serves HTTPS, and a renewed certificate to new connections without a restart', async () => {
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    copyFileSync(first.servingCertFile, certFile);
    copyFileSync(first.servingKeyFile, keyFile);
    const app = createHttpServer({ metrics: new KitMetrics(), logger: silentLogger, tls: { certFile, keyFile, reloadIntervalMs: 50 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      expect(await get(port, first.caCert)).toBe(200);
      expect(await get(port, second.caCert)).not.toBe(200);
      // A mismatched pair on the way (the key replaced first) is skipped; the old pair serves on.
      copyFileSync(second.servingKeyFile, keyFile);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await get(port, first.caCert)).toBe(200);
      copyFileSync(second.servingCertFile, certFile);
      await eventually('the renewed certificate served', async () => (await get(port, second.caCert)) === 200);
      expect(await get(port, first.caCert)).not.toBe(200);
    } finally {
      await app.close();
    }
  });
});
