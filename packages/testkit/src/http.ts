import { request } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface TLSClientOptions {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Status and body of one HTTPS GET, for readiness checks; rejects on network errors. */
export async function httpsGet(url: string, tls: TLSClientOptions, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const { status, body } = await httpsGetBytes(url, tls, timeoutMs);
  return { status, body: body.toString('utf8') };
}

/** Status and raw body of one HTTPS GET (a profile, an archive); rejects on network errors. */
export function httpsGetBytes(url: string, tls: TLSClientOptions, timeoutMs = 2000): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${String(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; failFast?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const fatal = options.failFast?.();
    if (fatal !== undefined) throw new Error(`${what}: ${fatal}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${String(options.timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/**
 * Sends one request exactly as written — any request line (`GET http://x/api HTTP/1.1`,
 * `GET /%61pi HTTP/1.1`), unlike fetch, which normalizes it — and resolves with the status
 * code once the response head has arrived (a stream that follows is not read).
 */
export function rawRequestStatus(
  target: { port: number; ca?: string },
  requestLine: string,
  headers: Readonly<Record<string, string>> = {},
  timeoutMs = 5000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const head = [requestLine, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
    const socket =
      target.ca === undefined
        ? netConnect({ host: '127.0.0.1', port: target.port })
        : tlsConnect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy(new Error(`no response head to ${JSON.stringify(requestLine)} within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    socket.once(target.ca === undefined ? 'connect' : 'secureConnect', () => socket.write(`${head}\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!received.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      if (status === undefined) reject(new Error(`not an HTTP response: ${received.slice(0, 80)}`));
      else resolve(Number(status));
    });
    socket.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`the connection closed before a response head to ${JSON.stringify(requestLine)}`));
    });
  });
}
