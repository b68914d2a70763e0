import { request } from 'node:https';

export interface TLSClientOptions {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Status and body of one HTTPS GET, for readiness checks; rejects on network errors. */
export function httpsGet(url: string, tls: TLSClientOptions, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${String(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; failFast?: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const fatal = options.failFast?.();
    if (fatal !== undefined) throw new Error(`${what}: ${fatal}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${String(options.timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
