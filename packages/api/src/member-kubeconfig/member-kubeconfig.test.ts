import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { buildMemberKubeconfig, credentialExpiry, memberUserName, parseMemberKubeconfig } from './member-kubeconfig.ts';

const jwt = (payload: object) => ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');
const fixture = (file: string) => readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'member-credential', file), 'utf8');
const base64 = (text: string) => Buffer.from(text).toString('base64');
const CA = fixture('ca.crt');
const CLIENT_CERT = fixture('client.crt');
const CLIENT_KEY = fixture('client.key');
/** Planted in every case: no result may contain it. */
const SENTINEL = 'sentinel-3f9c1e7a-do-not-leak';

const ALLOWED_USER = 'it takes only token, or client-certificate-data and client-key-data';
const ALLOWED_CLUSTER = 'it takes only server, certificate-authority-data and tls-server-name';

function kubeconfig(overrides: { cluster?: unknown; user?: unknown; contexts?: object[]; top?: object; users?: object[] } = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: overrides.cluster ?? { server: 'https://127.0.0.1:6443', 'certificate-authority-data': base64(CA) } }],
    users: overrides.users ?? [{ name: 'u', user: overrides.user ?? { token: SENTINEL } }],
    contexts: overrides.contexts ?? [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'monitoring' } }],
    'current-context': 'x',
    ...overrides.top,
  });
}

const cluster = (extra: object) => ({ server: 'https://127.0.0.1:6443', 'certificate-authority-data': base64(CA), ...extra });

describe('member kubeconfig: what the hub accepts', () => {
  it('round-trips what join builds, renamed to a name unique to the member', () => {
    const exp = Math.floor(Date.UTC(2027, 0, 1) / 1000);
    const text = buildMemberKubeconfig({ member: 'eu-west', server: 'https://10.0.0.1:6443', ca: CA, token: jwt({ exp }), namespace: 'monitoring' });
    const parsed = parseMemberKubeconfig(text, 'eu-west');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.options.users[0].name).toBe(memberUserName('eu-west'));
    expect(parsed.options.clusters[0]).toEqual({ name: memberUserName('eu-west'), server: 'https://10.0.0.1:6443', caData: base64(CA), skipTLSVerify: false });
    expect(parsed.options.contexts.find((context) => context.name === parsed.options.currentContext)?.namespace).toBe('monitoring');
    expect(parsed.expiresAt?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('takes a client certificate and its key, a TLS server name, and JSON', () => {
    const text = JSON.stringify({
      clusters: [{ name: 'c', cluster: cluster({ 'tls-server-name': 'api.member.example.com' }) }],
      users: [{ name: 'u', user: { 'client-certificate-data': base64(CLIENT_CERT), 'client-key-data': base64(CLIENT_KEY) } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    const parsed = parseMemberKubeconfig(text, 'eu');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.options.users[0]).toEqual({ name: memberUserName('eu'), certData: base64(CLIENT_CERT), keyData: base64(CLIENT_KEY) });
    expect(parsed.options.clusters[0].tlsServerName).toBe('api.member.example.com');
    expect(parsed.expiresAt?.getUTCFullYear()).toBe(2126);
  });
});

describe('member kubeconfig: what the hub refuses, by key and never by value', () => {
  const cases: [string, string, 'KubeconfigInvalid' | 'KubeconfigUnsupported', string][] = [
    ['not YAML', `{{{ ${SENTINEL}`, 'KubeconfigInvalid', 'the kubeconfig is not YAML (BAD_INDENT at line 1, column 34)'],
    ['a duplicate key', `users: []\nusers: [${SENTINEL}]`, 'KubeconfigInvalid', 'the kubeconfig is not YAML (DUPLICATE_KEY at line 2, column 1)'],
    ['a scalar', SENTINEL, 'KubeconfigInvalid', 'the kubeconfig must be a mapping'],
    ['no contexts', kubeconfig({ contexts: [] }), 'KubeconfigInvalid', 'the kubeconfig must have exactly one context (has 0)'],
    [
      'two contexts',
      kubeconfig({
        contexts: [
          { name: 'a', context: { cluster: 'c', user: 'u' } },
          { name: 'b', context: { cluster: 'c', user: 'u' } },
        ],
      }),
      'KubeconfigInvalid',
      'the kubeconfig must have exactly one context (has 2)',
    ],
    [
      'an exec plugin',
      kubeconfig({ user: { exec: { command: 'sh', args: ['-c', SENTINEL] } } }),
      'KubeconfigUnsupported',
      `users[0].user has exec, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'an auth provider',
      kubeconfig({ user: { 'auth-provider': { name: 'gcp', config: { 'access-token': SENTINEL } } } }),
      'KubeconfigUnsupported',
      `users[0].user has auth-provider, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'a client key path',
      kubeconfig({ user: { 'client-certificate-data': base64(CLIENT_CERT), 'client-key': '/dev/zero', token: SENTINEL } }),
      'KubeconfigUnsupported',
      `users[0].user has client-key, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'a client certificate path',
      kubeconfig({ user: { 'client-certificate': '/etc/passwd', token: SENTINEL } }),
      'KubeconfigUnsupported',
      `users[0].user has client-certificate, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'a token file',
      kubeconfig({ user: { 'token-file': '/var/run/secrets/kubernetes.io/serviceaccount/token', token: SENTINEL } }),
      'KubeconfigUnsupported',
      `users[0].user has token-file, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'basic auth',
      kubeconfig({ user: { username: 'admin', password: SENTINEL } }),
      'KubeconfigUnsupported',
      `users[0].user has username, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'impersonation',
      kubeconfig({ user: { token: SENTINEL, as: 'system:admin' } }),
      'KubeconfigUnsupported',
      `users[0].user has as, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'group impersonation',
      kubeconfig({ user: { token: SENTINEL, 'as-groups': ['system:masters'] } }),
      'KubeconfigUnsupported',
      `users[0].user has as-groups, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'a proxy',
      kubeconfig({ cluster: cluster({ 'proxy-url': `http://${SENTINEL}@proxy:3128` }) }),
      'KubeconfigUnsupported',
      `clusters[0].cluster has proxy-url, which the hub does not accept: ${ALLOWED_CLUSTER}`,
    ],
    [
      'a CA file',
      kubeconfig({ cluster: cluster({ 'certificate-authority': '/etc/kubernetes/pki/ca.crt' }) }),
      'KubeconfigUnsupported',
      `clusters[0].cluster has certificate-authority, which the hub does not accept: ${ALLOWED_CLUSTER}`,
    ],
    [
      'skipped TLS verification',
      kubeconfig({ cluster: cluster({ 'insecure-skip-tls-verify': true }) }),
      'KubeconfigUnsupported',
      "clusters[0].cluster has insecure-skip-tls-verify, which the hub does not accept: give the member's CA as certificate-authority-data",
    ],
    ['a pasted token as the user', kubeconfig({ user: SENTINEL }), 'KubeconfigInvalid', 'users[0].user must be a mapping'],
    ['a pasted token as the cluster', kubeconfig({ cluster: SENTINEL }), 'KubeconfigInvalid', 'clusters[0].cluster must be a mapping'],
    [
      'a merge key',
      `anchor: &a {token: ${SENTINEL}}\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {<<: *a}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n`,
      'KubeconfigUnsupported',
      'the kubeconfig has anchor, which the hub does not accept: it takes only apiVersion, kind, clusters, users, contexts, current-context, preferences',
    ],
    [
      'a merge key in the user',
      kubeconfig({ user: { '<<': { token: SENTINEL } } }),
      'KubeconfigUnsupported',
      `users[0].user has <<, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'a secret as a key',
      kubeconfig({ user: { token: 'x', [`${SENTINEL}.${'x'.repeat(50)}`]: '' } }),
      'KubeconfigUnsupported',
      `users[0].user has a key that is not a kubeconfig field (not shown), which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'extensions',
      kubeconfig({ top: { extensions: [{ name: SENTINEL }] } }),
      'KubeconfigUnsupported',
      'the kubeconfig has extensions, which the hub does not accept: it takes only apiVersion, kind, clusters, users, contexts, current-context, preferences',
    ],
    [
      'an extra field on a named entry',
      kubeconfig({ users: [{ name: 'u', user: { token: SENTINEL }, extensions: [] }] }),
      'KubeconfigUnsupported',
      'users[0] has extensions, which the hub does not accept: it takes only name and user',
    ],
    [
      'an unused user that runs a program',
      kubeconfig({
        users: [
          { name: 'u', user: { token: SENTINEL } },
          { name: 'spare', user: { exec: { command: SENTINEL } } },
        ],
      }),
      'KubeconfigUnsupported',
      `users[1].user has exec, which the hub does not accept: ${ALLOWED_USER}`,
    ],
    [
      'an http server',
      kubeconfig({ cluster: cluster({ server: 'http://127.0.0.1:8080' }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.server must be an https:// URL without credentials',
    ],
    [
      'credentials in the server URL',
      kubeconfig({ cluster: cluster({ server: `https://admin:${SENTINEL}@127.0.0.1:6443` }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.server must be an https:// URL without credentials',
    ],
    [
      'a server with a newline',
      kubeconfig({ cluster: cluster({ server: `https://127.0.0.1:6443\n${SENTINEL}` }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.server must be an https:// URL without credentials',
    ],
    [
      'a token with a line break',
      kubeconfig({ user: { token: `${SENTINEL}\r\nX-Injected: 1` } }),
      'KubeconfigInvalid',
      'users[0].user.token must be printable ASCII without spaces, at most 16384 characters',
    ],
    ['a token that is not a string', kubeconfig({ user: { token: { value: SENTINEL } } }), 'KubeconfigInvalid', 'users[0].user.token must be a string'],
    ['no credential', kubeconfig({ user: {} }), 'KubeconfigInvalid', 'users[0].user needs a token, or client-certificate-data and client-key-data'],
    [
      'a certificate without its key',
      kubeconfig({ user: { token: SENTINEL, 'client-certificate-data': base64(CLIENT_CERT) } }),
      'KubeconfigInvalid',
      'users[0].user needs both client-certificate-data and client-key-data, or neither',
    ],
    [
      'a key that is not the certificate’s',
      kubeconfig({ user: { token: SENTINEL, 'client-certificate-data': base64(CLIENT_CERT), 'client-key-data': base64(fixture('other.key')) } }),
      'KubeconfigInvalid',
      'users[0].user.client-key-data is not the key of client-certificate-data',
    ],
    [
      'a key that is not a key',
      kubeconfig({ user: { 'client-certificate-data': base64(CLIENT_CERT), 'client-key-data': base64(SENTINEL) } }),
      'KubeconfigInvalid',
      'users[0].user.client-key-data must be base64 of a PEM private key',
    ],
    [
      'a CA that is not PEM',
      kubeconfig({ cluster: cluster({ 'certificate-authority-data': base64(SENTINEL) }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.certificate-authority-data must be base64 of PEM certificates',
    ],
    [
      'a CA that is not base64',
      kubeconfig({ cluster: cluster({ 'certificate-authority-data': `${SENTINEL}!` }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.certificate-authority-data must be base64',
    ],
    [
      'a TLS server name that is not a name',
      kubeconfig({ cluster: cluster({ 'tls-server-name': `${SENTINEL} x` }) }),
      'KubeconfigInvalid',
      'clusters[0].cluster.tls-server-name must be a DNS name',
    ],
    [
      'a context naming no cluster',
      kubeconfig({ contexts: [{ name: 'x', context: { cluster: SENTINEL, user: 'u' } }] }),
      'KubeconfigInvalid',
      "the context's cluster is not one of the kubeconfig's clusters",
    ],
    [
      'an invalid namespace',
      kubeconfig({ contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: `${SENTINEL}/x` } }] }),
      'KubeconfigInvalid',
      'contexts[0].context.namespace must be a namespace name',
    ],
    ['too large', `# ${'x'.repeat(300 * 1024)}\n${kubeconfig()}`, 'KubeconfigInvalid', 'the kubeconfig is larger than 256 KiB'],
  ];

  it.each(cases)('refuses %s with its reason and a message naming the key', (_what, text, reason, message) => {
    const parsed = parseMemberKubeconfig(text, 'eu');
    expect(parsed).toEqual({ ok: false, reason, message });
    expect(JSON.stringify(parsed)).not.toContain('sentinel-3f9c1e7a');
  });
});

describe('credentialExpiry', () => {
  it('reads a JWT exp and ignores opaque tokens', () => {
    expect(credentialExpiry({ token: jwt({ exp: 1_800_000_000 }) })?.getTime()).toBe(1_800_000_000_000);
    expect(credentialExpiry({ token: 'static-token' })).toBeUndefined();
    expect(credentialExpiry({ token: jwt({ sub: 'x' }) })).toBeUndefined();
  });
});
