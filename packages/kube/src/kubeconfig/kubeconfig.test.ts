import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';

import { KubeConfig, loadKubeConfig, type HTTPSOptions } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'promfleet-kubeconfig-'));
const base64 = (text: string) => Buffer.from(text).toString('base64');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

function write(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  return path;
}

function config(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: `https://${name}.example.com:6443/`, 'certificate-authority-data': base64(`${name}-ca`), ...cluster } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: `${name}-ns` } }],
    'current-context': name,
  };
}

async function https(kubeConfig: KubeConfig): Promise<HTTPSOptions> {
  const options: HTTPSOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  return options;
}

describe('KubeConfig, read as client-node reads it', () => {
  it('takes the current context of a file: server without a trailing slash, CA, token, namespace', async () => {
    const kc = loadKubeConfig({ file: write('token.yaml', config('hub', { token: 'hub-token' })) });
    expect(kc.getCurrentCluster()).toEqual({
      name: 'hub',
      server: 'https://hub.example.com:6443',
      caData: base64('hub-ca'),
      caFile: undefined,
      skipTLSVerify: false,
      tlsServerName: undefined,
      proxyUrl: undefined,
    });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('hub-ns');
    expect(await https(kc)).toEqual({ ca: Buffer.from('hub-ca'), headers: { Authorization: 'Bearer hub-token' } });
  });

  it('reads client certificates and CAs from files relative to the kubeconfig, and the TLS options', async () => {
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    write('ca.crt', 'CA');
    const file = write(
      'files.yaml',
      config(
        'files',
        { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') },
        { 'certificate-authority': 'ca.crt', 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' },
      ),
    );
    const options = await https(loadKubeConfig({ file }));
    expect(options).toEqual({
      ca: Buffer.from('CA'),
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
      rejectUnauthorized: false,
      servername: 'api.internal',
      headers: {},
    });
  });

  it('switches context on request and refuses one that does not exist', () => {
    const both = {
      ...config('a', { token: 'a' }),
      contexts: [
        { name: 'a', context: { cluster: 'a', user: 'a' } },
        { name: 'b', context: { cluster: 'a', user: 'a', namespace: 'other' } },
      ],
    };
    const file = write('contexts.yaml', both);
    expect(loadKubeConfig({ file, context: 'b' }).getContextObject('b')?.namespace).toBe('other');
    expect(() => loadKubeConfig({ file, context: 'c' })).toThrow('kubeconfig has no context "c"');
    expect(() => loadKubeConfig({ text: stringify({ ...both, 'current-context': 'none' }) })).toThrow('kubeconfig has no current context with a cluster');
  });

  it('merges the files of KUBECONFIG, the first one naming the current context, and refuses duplicates', () => {
    const first = write('first.yaml', config('first', { token: 'one' }));
    const second = write('second.yaml', { ...config('second', { token: 'two' }), 'current-context': '' });
    vi.stubEnv('KUBECONFIG', `${first}:${second}`);
    const kc = loadKubeConfig();
    expect(kc.getCurrentCluster()?.name).toBe('first');
    expect(kc.getCluster('second')?.server).toBe('https://second.example.com:6443');
    vi.stubEnv('KUBECONFIG', `${first}:${first}`);
    expect(() => loadKubeConfig()).toThrow('Duplicate cluster: first');
  });

  it('names the entry that lacks a required field', () => {
    expect(() => {
      new KubeConfig().loadFromString(stringify({ clusters: [{ name: 'c', cluster: {} }] }));
    }).toThrow('clusters[0].cluster.server is missing');
    expect(() => {
      new KubeConfig().loadFromString(stringify({ users: [{ user: {} }] }));
    }).toThrow('users[0].name is missing');
    expect(() => {
      new KubeConfig().loadFromString(stringify({ contexts: [{ name: 'x', context: { user: 'u' } }] }));
    }).toThrow('contexts[0].context.cluster is missing');
  });

  it('reads the in-cluster token file again once it is a minute old, as the kubelet rotates it', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1), toFake: ['Date'] });
    const token = write('token', 'first');
    const kc = KubeConfig.fromOptions({
      clusters: [{ name: 'c', server: 'https://10.0.0.1:443', skipTLSVerify: false }],
      users: [{ name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile: token } } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect((await https(kc)).headers?.Authorization).toBe('Bearer first');
    write('token', 'second');
    vi.advanceTimersByTime(30_000);
    expect((await https(kc)).headers?.Authorization).toBe('Bearer first');
    vi.advanceTimersByTime(31_000);
    expect((await https(kc)).headers?.Authorization).toBe('Bearer second');
  });

  it('builds the in-cluster config from the service account files and the service environment', () => {
    const root = mkdtempSync(join(dir, 'sa-'));
    const account = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    // The prefix stands for the root of the pod's file system.
    mkdirSync(account, { recursive: true });
    writeFileSync(join(account, 'namespace'), 'monitoring');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', 'fd00::1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const kc = new KubeConfig();
    kc.loadFromCluster(root);
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://[fd00::1]:443', caFile: `${account}/ca.crt` });
    expect(kc.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: `${account}/token` } });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('monitoring');
  });

  it("reads a user's token-file once, when loaded, like client-node", async () => {
    const token = write('static-token', 'from-file');
    const kc = loadKubeConfig({ text: stringify(config('t', { 'token-file': token })) });
    write('static-token', 'changed');
    expect((await https(kc)).headers?.Authorization).toBe('Bearer from-file');
  });

  it('runs an exec plugin through client-node, loaded for it', async () => {
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } };
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', `console.log(${JSON.stringify(JSON.stringify(credential))})`],
      interactiveMode: 'Never',
    };
    const kc = loadKubeConfig({ text: stringify(config('exec', { exec })) });
    expect((await https(kc)).headers?.Authorization).toBe('Bearer exec-token');
  });
});
