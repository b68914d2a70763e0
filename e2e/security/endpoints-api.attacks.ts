import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { API_PATH_SPELLINGS, ENTRIES, eventually, parseMetricsText, rawRequestStatus, runCli } from '@promfleet/testkit';
import { describe, expect, it } from 'vitest';

import { RedisEndpointStore } from '../../packages/hub/src/endpoints/redis-store.ts';
import { API_TOKEN, type SecurityFleet } from './security-fleet.ts';
import { httpsRequest, slowWatcher } from './tls-client.ts';

/** Runs the hub binary with these arguments until it exits (it must, at once). */
function runHub(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', ENTRIES.hub, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const metric = async (fleet: SecurityFleet, name: string, labels: Record<string, string> = {}): Promise<number> =>
  parseMetricsText((await fleet.get('api', '/metrics', {})).body, [name])
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

/** `count` distinct A targets (about 16 bytes each), different for every `seed`. */
const big = (seed: number, count: number) => [
  {
    dnsName: 'query.load.example.com',
    recordType: 'A' as const,
    targets: Array.from({ length: count }, (_, i) => `10.${String(seed % 250)}.${String(Math.floor(i / 250))}.${String(i % 250)}`),
    ttl: 30,
  },
];

export function endpointsApiAttacks(fleet: () => SecurityFleet): void {
  describe('the endpoints API', () => {
    it.each(['hub', 'api'] as const)(
      'A1 %s: no spelling of an API path (percent-encoding, absolute form, //, .., trailing /, case) is served without the token — stopped by authenticating the matched route',
      async (target) => {
        const f = fleet();
        const port = target === 'hub' ? f.pf.hubProcess.port : f.api.port;
        const ca = `${f.tls.first.caCert}${f.tls.rotated.caCert}`;
        const served: string[] = [];
        for (const line of API_PATH_SPELLINGS) {
          const anonymous = await rawRequestStatus({ port, ca }, line);
          const wrong = await rawRequestStatus({ port, ca }, line, { authorization: 'Bearer wrong' });
          if (![401, 404].includes(anonymous) || ![401, 404].includes(wrong)) served.push(`${line}: ${String(anonymous)}/${String(wrong)}`);
          expect([200, 400, 404], line).toContain(await rawRequestStatus({ port, ca }, line, { authorization: `Bearer ${API_TOKEN}` }));
        }
        expect(served).toEqual([]);
      },
    );

    it('A2: an empty or whitespace token file is a startup error naming the file, never "no authentication" — stopped by refusing to start', async () => {
      const f = fleet();
      const empty = join(f.dir, 'empty-token');
      writeFileSync(empty, ' \n\t\n');
      const api = await runHub(['api', '--redis-url=redis://127.0.0.1:1', `--api-token-file=${empty}`, '--listen=127.0.0.1:0']);
      expect(api.code).toBe(2);
      expect(api.stderr).toContain(`promfleet-hub: the API token file ${empty} is empty`);
      const hub = await runHub([`--kubeconfig=${f.pf.hubCluster.kubeconfigFile}`, `--api-token-file=${empty}`, '--listen=127.0.0.1:0']);
      expect(hub.code).toBe(2);
      expect(hub.stderr).toContain(`the API token file ${empty} is empty`);
    });

    it('A3: a token file emptied while running keeps the last token in force and logs an error — stopped by never reading "empty" as "none"', async () => {
      const f = fleet();
      writeFileSync(f.tokenFile, '');
      try {
        // The file is looked at when a request comes.
        for (const target of ['api', 'hub'] as const) {
          expect((await f.get(target, '/api/v1/endpoints', {})).status, target).toBe(401);
          expect((await f.get(target, '/api/v1/endpoints')).status, target).toBe(200);
        }
        for (const process of [f.api, f.pf.hubProcess]) {
          await eventually(`${process.process.name} logged the error`, () =>
            readFileSync(process.logFile, 'utf8').includes('the API token file became empty; still requiring the previous token'),
          );
        }
      } finally {
        writeFileSync(f.tokenFile, `${API_TOKEN}\n`);
      }
    });

    it('A4: the CLI refuses to send the token over plain http to another host, and reads the API over TLS with its CA — stopped by --insecure being required', async () => {
      const f = fleet();
      const refused = await runCli(['endpoints', '--api', 'http://promfleet.example.com:8080', '--api-token-file', f.tokenFile]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('refusing to send the API token over plain http:// to promfleet.example.com');
      const caFile = join(f.dir, 'ca.crt');
      writeFileSync(caFile, `${f.tls.first.caCert}${f.tls.rotated.caCert}`);
      const zone = await runCli(['endpoints', '--api', f.api.url, '--api-token-file', f.tokenFile, '--api-ca-file', caFile]);
      expect(zone.code).toBe(0);
      expect(zone.stdout).toContain('query.steady.example.com. 30 IN A');
    });

    it('A5: watchers that never read cannot grow the API replica without bound, nor crowd it out — stopped by --api-watch-buffer and --api-max-watchers', async () => {
      const f = fleet();
      const ca = `${f.tls.first.caCert}${f.tls.rotated.caCert}`;
      const watchers = await Promise.all(Array.from({ length: 20 }, () => slowWatcher(f.api.port, ca, API_TOKEN)));
      const writer = new RedisEndpointStore({ url: f.redis.url });
      try {
        await eventually('20 watchers', async () => (await metric(f, 'promfleet_endpoints_watchers')) === 20);
        const refused = await httpsRequest(`${f.api.url}/api/v1/endpoints/watch`, ca, { authorization: `Bearer ${API_TOKEN}` });
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toBe('5');
        await writer.start();
        // 64 KiB changes until every stuck watcher has been cut (kernel buffers take the first megabytes).
        for (let seed = 1; seed <= 600 && (await metric(f, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })) < 20; seed++) {
          await writer.put({ namespace: 'load', name: 'big', endpoints: big(seed, 4000) });
          if (seed % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await eventually('every stuck watcher cut', async () => (await metric(f, 'promfleet_endpoints_watchers_dropped_total', { reason: 'slow' })) >= 20);
        await eventually('the slots free', async () => (await metric(f, 'promfleet_endpoints_watchers')) === 0);
        expect((await f.get('api', '/api/v1/endpoints/default/steady')).status).toBe(200);
      } finally {
        for (const watcher of watchers) watcher.destroy();
        await writer.remove('load', 'big');
        await writer.stop();
      }
    });

    it('A6: a renewed serving certificate is served without a restart — TLS files re-read as cert-manager rotates them', async () => {
      const f = fleet();
      copyFileSync(f.tls.rotated.servingKeyFile, f.keyFile);
      copyFileSync(f.tls.rotated.servingCertFile, f.certFile);
      for (const url of [f.pf.hubProcess.url, f.api.url]) {
        await eventually(
          `${url} serving the renewed certificate`,
          async () => (await httpsRequest(`${url}/healthz`, f.tls.rotated.caCert).catch(() => undefined))?.status === 200,
        );
        await expect(httpsRequest(`${url}/healthz`, f.tls.first.caCert)).rejects.toThrow();
      }
    });
  });
}
