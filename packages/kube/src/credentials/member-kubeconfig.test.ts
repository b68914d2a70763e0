import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { buildMemberKubeconfig, credentialExpiry, memberUserName, parseMemberKubeconfig } from './member-kubeconfig.ts';

const jwt = (payload: object) => ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function kubeconfig(overrides: { cluster?: object; user?: object; contexts?: object[] } = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=', ...overrides.cluster } }],
    users: [{ name: 'u', user: overrides.user ?? { token: 'abc' } }],
    contexts: overrides.contexts ?? [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'monitoring' } }],
    'current-context': 'x',
  });
}

describe('member kubeconfig', () => {
  it('round-trips what join builds, renamed to a name unique to the member', () => {
    const exp = Math.floor(Date.UTC(2027, 0, 1) / 1000);
    const text = buildMemberKubeconfig({ member: 'eu-west', server: 'https://10.0.0.1:6443', ca: CA, token: jwt({ exp }), namespace: 'monitoring' });
    const parsed = parseMemberKubeconfig(text, 'eu-west');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.kubeConfig.getCurrentUser()?.name).toBe(memberUserName('eu-west'));
    expect(parsed.kubeConfig.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
    expect(parsed.kubeConfig.getContextObject(parsed.kubeConfig.getCurrentContext())?.namespace).toBe('monitoring');
    expect(parsed.expiresAt?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it.each([
    ['not YAML', '{{{', 'KubeconfigInvalid', 'not YAML'],
    ['a scalar', '42', 'KubeconfigInvalid', 'not a YAML mapping'],
    ['no contexts', kubeconfig({ contexts: [] }), 'KubeconfigInvalid', 'exactly one context (has 0)'],
    ['two contexts', kubeconfig({ contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }, { name: 'b', context: { cluster: 'c', user: 'u' } }] }), 'KubeconfigInvalid', 'has 2'],
    ['an exec plugin', kubeconfig({ user: { exec: { command: 'aws' } } }), 'KubeconfigUnsupported', 'exec or auth-provider'],
    ['an auth provider', kubeconfig({ user: { 'auth-provider': { name: 'gcp' } } }), 'KubeconfigUnsupported', 'exec or auth-provider'],
    ['no credential', kubeconfig({ user: { username: 'admin' } }), 'KubeconfigInvalid', 'needs a token'],
    ['an http server', kubeconfig({ cluster: { server: 'http://127.0.0.1:8080' } }), 'KubeconfigInvalid', 'https:// URL'],
    ['skipped TLS verification', kubeconfig({ cluster: { 'insecure-skip-tls-verify': true } }), 'KubeconfigUnsupported', 'insecure-skip-tls-verify'],
    ['a token file', kubeconfig({ user: { 'token-file': '/var/run/token' } }), 'KubeconfigInvalid', 'needs a token'],
  ])('rejects %s with a reason and message', (_what, text, reason, message) => {
    const parsed = parseMemberKubeconfig(text, 'eu');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.message).toContain(message);
  });

  it('never puts the token in a problem message', () => {
    const parsed = parseMemberKubeconfig(kubeconfig({ user: { token: 'super-secret-token', exec: { command: 'x' } } }), 'eu');
    expect(JSON.stringify(parsed)).not.toContain('super-secret-token');
  });
});

describe('credentialExpiry', () => {
  it('reads a JWT exp and ignores opaque tokens', () => {
    expect(credentialExpiry({ token: jwt({ exp: 1_800_000_000 }) })?.getTime()).toBe(1_800_000_000_000);
    expect(credentialExpiry({ token: 'static-token' })).toBeUndefined();
    expect(credentialExpiry({ token: jwt({ sub: 'x' }) })).toBeUndefined();
  });
});
