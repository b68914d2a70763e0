import { X509Certificate } from 'node:crypto';

import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';

/**
 * The kubeconfig a hub holds for one member: one cluster, one context, a bearer token (what
 * `promfleet join` issues) or a client certificate, and no exec or auth-provider plugins —
 * a hub must not run programs named by a Secret.
 */

export function memberUserName(member: string): string {
  return `promfleet-hub@${member}`;
}

export function buildMemberKubeconfig(options: { member: string; server: string; ca: string; token: string; namespace: string }): string {
  const name = memberUserName(options.member);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': Buffer.from(options.ca).toString('base64') } }],
    users: [{ name, user: { token: options.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace } }],
    'current-context': name,
  });
}

export type CredentialProblemReason = 'KubeconfigInvalid' | 'KubeconfigUnsupported';

export type ParsedMemberKubeconfig =
  | { readonly ok: true; readonly kubeConfig: KubeConfig; readonly server: string; readonly expiresAt: Date | undefined }
  | { readonly ok: false; readonly reason: CredentialProblemReason; readonly message: string };

interface RawKubeconfig {
  clusters?: { name?: string; cluster?: Record<string, unknown> }[];
  users?: { name?: string; user?: Record<string, unknown> }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  'current-context'?: string;
}

const invalid = (message: string): ParsedMemberKubeconfig => ({ ok: false, reason: 'KubeconfigInvalid', message });
const unsupported = (message: string): ParsedMemberKubeconfig => ({ ok: false, reason: 'KubeconfigUnsupported', message });

/**
 * Validates a member kubeconfig and loads it with cluster, user and context renamed to
 * `promfleet-hub@<member>`, so no two members ever share a name. Problems come back as a
 * reason and a message that names what is wrong, never the credential itself.
 */
export function parseMemberKubeconfig(text: string, member: string): ParsedMemberKubeconfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return invalid(`the kubeconfig is not YAML: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : ''}`);
  }
  if (typeof raw !== 'object' || raw === null) return invalid('the kubeconfig is not a YAML mapping');
  const config = raw as RawKubeconfig;
  const contexts = config.contexts ?? [];
  if (contexts.length !== 1) return invalid(`the kubeconfig must have exactly one context (has ${String(contexts.length)})`);
  const context = contexts[0]?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context?.user)?.user;
  if (!cluster) return invalid(`the context's cluster ${JSON.stringify(context?.cluster ?? '')} is not in the kubeconfig`);
  if (!user) return invalid(`the context's user ${JSON.stringify(context?.user ?? '')} is not in the kubeconfig`);
  if ('exec' in user || 'auth-provider' in user) return unsupported('the kubeconfig uses an exec or auth-provider plugin; the hub accepts only a token or a client certificate');
  const server = cluster.server;
  if (typeof server !== 'string' || !/^https:\/\/\S+$/.test(server)) return invalid('the cluster server must be an https:// URL');
  if (cluster['insecure-skip-tls-verify'] === true) return unsupported('insecure-skip-tls-verify is not allowed: give the member CA (certificate-authority-data)');
  const token = typeof user.token === 'string' ? user.token : undefined;
  const cert = decode(user['client-certificate-data']);
  if (!token && !(cert && user['client-key-data'])) return invalid('the user needs a token or client-certificate-data and client-key-data');
  if ('token-file' in user || 'client-certificate' in user || 'certificate-authority' in cluster) {
    return unsupported('file references (token-file, client-certificate, certificate-authority) cannot be read from a Secret; embed the data');
  }
  const name = memberUserName(member);
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name, cluster }],
        users: [{ name, user }],
        contexts: [{ name, context: { cluster: name, user: name, ...(context?.namespace ? { namespace: context.namespace } : {}) } }],
        'current-context': name,
      }),
    );
  } catch (error) {
    return invalid(`the kubeconfig cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ok: true, kubeConfig, server, expiresAt: credentialExpiry({ token, certificate: cert }) };
}

/** When a credential stops working: the JWT `exp` of a token, or the certificate's notAfter. */
export function credentialExpiry(credential: { token?: string | undefined; certificate?: string | undefined }): Date | undefined {
  if (credential.token) {
    const payload = credential.token.split('.')[1];
    if (payload) {
      try {
        const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
        if (typeof exp === 'number') return new Date(exp * 1000);
      } catch {
        // Not a JWT (a static token): no expiry to report.
      }
    }
    return undefined;
  }
  if (credential.certificate) {
    try {
      return new Date(new X509Certificate(credential.certificate).validTo);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function decode(value: unknown): string | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}
