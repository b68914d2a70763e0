import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClusterPKI } from '@promfleet/testkit';

import { KubeConfig } from '../src/kubeconfig/kubeconfig.ts';

/** A hand-written API server on loopback, with its own CA, for what a real one never does. */
export interface TLSTestServer {
  readonly url: string;
  /** A kubeconfig trusting the server's CA, with a bearer token. */
  kubeConfig(token: string, server?: string): KubeConfig;
  close(): Promise<void>;
}

export async function startTLSServer(name: string, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TLSTestServer> {
  const dir = mkdtempSync(join(tmpdir(), `promfleet-${name}-`));
  try {
    const pki = await createClusterPKI(dir, name);
    const server = createServer({ cert: readFileSync(pki.servingCertFile), key: readFileSync(pki.servingKeyFile) }, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `https://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
    return {
      url,
      kubeConfig: (token, at = url) =>
        KubeConfig.fromOptions({
          clusters: [{ name, server: at, caData: Buffer.from(pki.caCert).toString('base64'), skipTLSVerify: false }],
          users: [{ name, token }],
          contexts: [{ name, cluster: name, user: name }],
          currentContext: name,
        }),
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
