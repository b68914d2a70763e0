import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { EXIT } from './exit-codes.ts';
import { run } from './run.ts';

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function promfleet(...argv: string[]): Promise<Outcome> {
  const outcome = { code: -1, out: '', err: '' };
  outcome.code = await run(argv, { out: (text) => (outcome.out += text), err: (text) => (outcome.err += text), env: {}, now: () => new Date(0) });
  return outcome;
}

let dir: string;
let closedPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'promfleet-cli-test-'));
  closedPort = await freePort();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A kubeconfig for an API server that is not there. */
async function unreachableKubeconfig(): Promise<string> {
  const file = join(dir, 'unreachable.kubeconfig');
  const yaml = `apiVersion: v1
kind: Config
clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:${String(closedPort)}", insecure-skip-tls-verify: true } }]
users: [{ name: gone, user: { token: t } }]
contexts: [{ name: gone, context: { cluster: gone, user: gone } }]
current-context: gone
`;
  await writeFile(file, yaml);
  return file;
}

describe('help and usage', () => {
  it('prints the overview with --help (exit 0) and without a command (exit 2, on stderr)', async () => {
    const help = await promfleet('--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toContain('Commands:\n  join ');
    expect(help.out).toContain('3  a cluster (or the endpoints API) could not be reached');
    const bare = await promfleet();
    expect([bare.code, bare.out, bare.err]).toEqual([EXIT.usage, '', help.out]);
  });

  it('prints each command’s help', async () => {
    for (const command of ['join', 'unjoin', 'members', 'status', 'rollout', 'endpoints', 'validate', 'crds']) {
      const viaFlag = await promfleet(command, '--help');
      const viaHelp = await promfleet('help', command);
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.out).toMatch(new RegExp(`^Usage: promfleet ${command}`));
      expect(viaFlag.out).toContain('Examples:\n  ');
      expect(viaHelp.out).toBe(viaFlag.out);
    }
  });

  it('prints the release version: the root package.json’s', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const argv of [['version'], ['--version']]) expect(await promfleet(...argv)).toEqual({ code: 0, out: `promfleet ${version}\n`, err: '' });
  });

  it.each([
    [['frobnicate'], 'promfleet: unknown command "frobnicate" (see promfleet --help)\n'],
    [['members', '--frobnicate'], 'promfleet: unknown flag --frobnicate (see --help)\n'],
    [['members', '--hub-kubeconfig'], 'promfleet: flag --hub-kubeconfig needs a value\n'],
    [['status', 'cloud'], 'promfleet: status: "cloud" is not NAMESPACE/NAME\n'],
    [['rollout', 'status'], 'promfleet: rollout: missing NAMESPACE/NAME (see promfleet rollout --help)\n'],
    [['rollout', 'pause', 'default/cloud', '--watch'], 'promfleet: rollout: --watch is for rollout status\n'],
    [['join', 'eu-west'], 'promfleet: join: give the member cluster with --member-kubeconfig or --member-context (see promfleet join --help)\n'],
  ])('%j exits 2 with one line', async (argv, err) => {
    expect(await promfleet(...argv)).toEqual({ code: EXIT.usage, out: '', err });
  });
});

describe('crds', () => {
  it('prints every CRD as one multi-document YAML', async () => {
    const { code, out } = await promfleet('crds');
    expect(code).toBe(0);
    const names = parseAllDocuments(out).map((document) => (document.toJS() as { metadata: { name: string } }).metadata.name);
    expect(names).toEqual([
      'memberclusters.promfleet.io',
      'prometheusclusters.promfleet.io',
      'prometheusclustershards.promfleet.io',
      'prometheusreplicas.promfleet.io',
    ]);
  });
});

describe('exit codes of commands that reach clusters', () => {
  it('exits 3 when the hub cannot be reached', async () => {
    const result = await promfleet('members', '--hub-kubeconfig', await unreachableKubeconfig());
    expect(result.code).toBe(EXIT.unreachable);
    expect(result.err).toMatch(/^promfleet: hub: list \/apis\/promfleet.io\/v1alpha1\/memberclusters: ECONNREFUSED .*\n$/);
  });

  it("exits 3 when the hub named with kubectl's --kubeconfig cannot be reached (as `kubectl promfleet members --kubeconfig`)", async () => {
    const result = await promfleet('members', '--kubeconfig', await unreachableKubeconfig());
    expect(result.code).toBe(EXIT.unreachable);
    expect(result.err).toMatch(/^promfleet: hub: list \/apis\/promfleet.io\/v1alpha1\/memberclusters: ECONNREFUSED .*\n$/);
  });

  it('exits 1 when a kubeconfig cannot be read', async () => {
    const result = await promfleet('status', '--hub-kubeconfig', join(dir, 'missing.kubeconfig'));
    expect(result.code).toBe(EXIT.failure);
    expect(result.err).toMatch(/^promfleet: hub kubeconfig \S+missing.kubeconfig: .*ENOENT.*\n$/);
  });

  it('exits 1 when a join names a context the kubeconfig lacks', async () => {
    const result = await promfleet('join', 'eu-west', '--member-kubeconfig', await unreachableKubeconfig(), '--member-context', 'nope');
    expect([result.code, result.err]).toEqual([
      EXIT.failure,
      `promfleet: member kubeconfig ${join(dir, 'unreachable.kubeconfig')}: kubeconfig has no context "nope"\n`,
    ]);
  });
});

describe('endpoints --api', () => {
  let server: Server;
  let url: string;
  const requests: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];
  let reply: { status: number; body: string } = { status: 200, body: '' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push({ url: req.url, headers: req.headers });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads GET /api/v1/endpoints with the bearer token from the file', async () => {
    reply = {
      status: 200,
      body: JSON.stringify({
        revision: '3f2a9c0d1e4b5a6978c1d2e3f4a5b6c7',
        items: [
          {
            namespace: 'platform',
            name: 'cloud',
            endpoints: [{ dnsName: 'query.example.com', recordType: 'A', targets: ['192.0.2.11', '192.0.2.10'], ttl: 30 }],
          },
        ],
      }),
    };
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 's3cret\n');
    const result = await promfleet('endpoints', '--api', url, '--api-token-file', tokenFile);
    expect(result).toEqual({ code: 0, out: '; platform/cloud\nquery.example.com. 30 IN A 192.0.2.10\nquery.example.com. 30 IN A 192.0.2.11\n', err: '' });
    expect(requests.at(-1)).toMatchObject({ url: '/api/v1/endpoints', headers: { authorization: 'Bearer s3cret' } });
  });

  it('exits 1 on an error status or a body that is not the endpoints list', async () => {
    reply = { status: 401, body: '{"message":"unauthorized"}' };
    const denied = await promfleet('endpoints', '--api', url);
    expect([denied.code, denied.err]).toEqual([EXIT.failure, `promfleet: GET ${url}api/v1/endpoints: 401 Unauthorized: {"message":"unauthorized"}\n`]);
    reply = { status: 200, body: '{"items":[]}' };
    const malformed = await promfleet('endpoints', '--api', url, '--format', 'json');
    expect([malformed.code, malformed.err]).toEqual([EXIT.failure, `promfleet: GET ${url}api/v1/endpoints: expected { revision, items }\n`]);
  });

  it('exits 3 when the API cannot be reached', async () => {
    const result = await promfleet('endpoints', '--api', `http://127.0.0.1:${String(closedPort)}`);
    expect(result.code).toBe(EXIT.unreachable);
    expect(result.err).toBe(
      `promfleet: cannot reach http://127.0.0.1:${String(closedPort)}/api/v1/endpoints: connect ECONNREFUSED 127.0.0.1:${String(closedPort)}\n`,
    );
  });
});
