import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';

import { REPLICA_RULES } from '@promfleet/api';
import { createClusterPKI, scratchRoot, type ClusterPKI } from '@promfleet/testkit';

/**
 * A member API server that a member's admin — or whoever took over the member — runs to attack
 * the hub: the hub holds a credential for it, so it can answer the hub's requests however it likes.
 *
 * - `huge-body`: every answer is a gigabyte of nothing (announced for /version, streamed otherwise);
 * - `endless-watch`: probes pass, then the replica watch is a stream without a newline;
 * - `echo`: every answer is an error echoing the hub's Authorization header;
 * - `report`: a tiny API server storing the replicas the hub applies and reporting a status of
 *   its own choosing for each (addresses that inject zone records, messages with terminal escapes).
 */
export type HostileMode = 'huge-body' | 'endless-watch' | 'echo' | 'report';

const GIGABYTE = 2 ** 30;
const REPLICAS = '/apis/promfleet.io/v1alpha1/namespaces/monitoring/prometheusreplicas';

export class HostileMember {
  readonly mode: HostileMode;
  readonly pki: ClusterPKI;
  /** Bytes written per kind of answer, until the hub hung up. */
  readonly sent = new Map<string, number>();
  readonly #server: Server;
  readonly #dir: string;
  readonly #replicas = new Map<string, Record<string, unknown>>();
  readonly #watches = new Set<ServerResponse>();
  readonly #statusOf: (name: string) => unknown;
  #port = 0;

  private constructor(mode: HostileMode, pki: ClusterPKI, dir: string, statusOf: (name: string) => unknown) {
    this.mode = mode;
    this.pki = pki;
    this.#dir = dir;
    this.#statusOf = statusOf;
    this.#server = createServer({ cert: readFileSync(pki.servingCertFile), key: readFileSync(pki.servingKeyFile) }, (request, response) => {
      void this.#answer(request, response);
    });
  }

  static async start(mode: HostileMode, statusOf: (name: string) => unknown = () => undefined): Promise<HostileMember> {
    const dir = mkdtempSync(join(scratchRoot(), `promfleet-hostile-${mode}-`));
    const member = new HostileMember(mode, await createClusterPKI(dir, `hostile-${mode}`), dir, statusOf);
    await new Promise<void>((resolve) => member.#server.listen(0, '127.0.0.1', resolve));
    const address = member.#server.address();
    member.#port = typeof address === 'object' && address ? address.port : 0;
    return member;
  }

  get url(): string {
    return `https://127.0.0.1:${String(this.#port)}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://member');
    const body = await readBody(request);
    const watch = url.searchParams.get('watch') === 'true';
    if (this.mode === 'echo') {
      json(response, 500, { kind: 'Status', code: 500, message: `rejected the request of ${request.headers.authorization ?? 'nobody'}` });
      return;
    }
    if (this.mode === 'huge-body') {
      this.#flood(response, 'body', ' ', url.pathname === '/version' ? { 'content-length': String(GIGABYTE) } : {});
      return;
    }
    if (url.pathname === '/version') {
      json(response, 200, { gitVersion: 'v1.20.2' });
      return;
    }
    if (url.pathname.endsWith('/selfsubjectaccessreviews')) {
      const namespace = (JSON.parse(body) as { spec?: { resourceAttributes?: { namespace?: string } } }).spec?.resourceAttributes?.namespace;
      json(response, 201, { status: { allowed: namespace !== undefined } });
      return;
    }
    if (url.pathname.endsWith('/selfsubjectrulesreviews')) {
      json(response, 201, { status: { resourceRules: REPLICA_RULES, nonResourceRules: [], incomplete: false } });
      return;
    }
    if (url.pathname === REPLICAS && watch) {
      if (this.mode === 'endless-watch') {
        this.#flood(response, 'watch', 'x');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      this.#watches.add(response);
      response.on('close', () => this.#watches.delete(response));
      return;
    }
    if (url.pathname === REPLICAS) {
      json(response, 200, {
        kind: 'PrometheusReplicaList',
        apiVersion: 'promfleet.io/v1alpha1',
        metadata: { resourceVersion: '1' },
        items: [...this.#replicas.values()],
      });
      return;
    }
    if (url.pathname.startsWith(`${REPLICAS}/`) && request.method === 'PATCH') {
      json(response, 200, this.#store(JSON.parse(body) as Record<string, unknown>));
      return;
    }
    if (url.pathname.startsWith(`${REPLICAS}/`) && request.method === 'DELETE') {
      json(response, 200, { kind: 'Status', status: 'Success' });
      return;
    }
    json(response, 404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' });
  }

  /** Keeps an applied replica with the status this member reports for it, and tells the watchers. */
  #store(applied: Record<string, unknown>): Record<string, unknown> {
    const metadata = applied.metadata as { name: string };
    const replica = {
      ...applied,
      metadata: { ...metadata, uid: `uid-${metadata.name}`, resourceVersion: String(this.#replicas.size + 2), generation: 1 },
      status: this.#statusOf(metadata.name),
    };
    this.#replicas.set(metadata.name, replica);
    for (const watch of this.#watches) watch.write(`${JSON.stringify({ type: 'MODIFIED', object: replica })}\n`);
    return replica;
  }

  /** A gigabyte of `fill`, never held in memory, as fast as the hub reads it — until it hangs up. */
  #flood(response: ServerResponse, kind: string, fill: string, headers: Record<string, string> = {}): void {
    response.writeHead(200, { 'content-type': 'application/json', ...headers });
    const block = Buffer.alloc(64 * 1024, fill);
    let written = 0;
    const pump = (): void => {
      while (written < GIGABYTE && !response.destroyed) {
        written += block.length;
        this.sent.set(kind, Math.max(this.sent.get(kind) ?? 0, written));
        if (!response.write(block)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  }
}

function json(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
