import { X509Certificate } from 'node:crypto';

import { parse, stringify } from 'yaml';

import { allowListed } from './allow-list.ts';

/**
 * The kubeconfig a hub holds for one member: one cluster, one context, a bearer token (what
 * `promfleet join` issues) or a client certificate — nothing that makes the hub read a file,
 * run a program or send its requests elsewhere.
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

/**
 * A validated member kubeconfig in the shape kubeconfig loaders take (`KubeConfig.fromOptions`
 * of @promfleet/kube/kubeconfig, client-node's `loadFromOptions`): one cluster, one user, one
 * context, all named `promfleet-hub@<member>`.
 */
export interface MemberClientOptions {
  readonly clusters: readonly [
    { readonly name: string; readonly server: string; readonly skipTLSVerify: false; readonly caData?: string; readonly tlsServerName?: string },
  ];
  readonly users: readonly [{ readonly name: string; readonly token?: string; readonly certData?: string; readonly keyData?: string }];
  readonly contexts: readonly [{ readonly name: string; readonly cluster: string; readonly user: string; readonly namespace?: string }];
  readonly currentContext: string;
}

export type ParsedMemberKubeconfig =
  | { readonly ok: true; readonly options: MemberClientOptions; readonly server: string; readonly expiresAt: Date | undefined }
  | { readonly ok: false; readonly reason: CredentialProblemReason; readonly message: string };

/** Far above any real kubeconfig (a CA, a certificate and a token are a few KiB). */
const MAX_KUBECONFIG_BYTES = 256 * 1024;

const invalid = (message: string): ParsedMemberKubeconfig => ({ ok: false, reason: 'KubeconfigInvalid', message });

/**
 * Validates a member kubeconfig against the allow-list (see allow-list.ts) and builds the client
 * configuration from the validated values alone — the YAML is parsed once and never
 * handed to a kubeconfig loader — with cluster, user and context named `promfleet-hub@<member>`,
 * so no two members share a name. Problems come back as a reason and a message naming the key
 * that is wrong, never a value.
 */
export function parseMemberKubeconfig(text: string, member: string): ParsedMemberKubeconfig {
  if (Buffer.byteLength(text) > MAX_KUBECONFIG_BYTES) return invalid(`the kubeconfig is larger than ${String(MAX_KUBECONFIG_BYTES / 1024)} KiB`);
  let document: unknown;
  try {
    // YAML 1.2 core schema: `<<` is a plain key (refused by the allow-list), not a merge.
    document = parse(text, { schema: 'core', merge: false, uniqueKeys: true });
  } catch (error) {
    return invalid(`the kubeconfig is not YAML${yamlErrorPosition(error)}`);
  }
  const checked = allowListed(document);
  if (!checked.ok) return { ok: false, reason: checked.unsupported ? 'KubeconfigUnsupported' : 'KubeconfigInvalid', message: checked.message };
  const { values } = checked;
  const name = memberUserName(member);
  const options: MemberClientOptions = {
    clusters: [
      {
        name,
        server: values.server,
        skipTLSVerify: false,
        ...(values.caData ? { caData: values.caData } : {}),
        ...(values.tlsServerName ? { tlsServerName: values.tlsServerName } : {}),
      },
    ],
    users: [
      {
        name,
        ...(values.token ? { token: values.token } : {}),
        ...(values.certData && values.keyData ? { certData: values.certData, keyData: values.keyData } : {}),
      },
    ],
    contexts: [{ name, cluster: name, user: name, ...(values.namespace ? { namespace: values.namespace } : {}) }],
    currentContext: name,
  };
  return { ok: true, options, server: values.server, expiresAt: credentialExpiry({ token: values.token, certificate: values.certificate }) };
}

/** Where a YAML error is, without the text around it (which may be a credential). */
function yamlErrorPosition(error: unknown): string {
  const { code, linePos } = (error ?? {}) as { code?: unknown; linePos?: { line: number; col: number }[] };
  const position = linePos?.[0] ? ` at line ${String(linePos[0].line)}, column ${String(linePos[0].col)}` : '';
  return typeof code === 'string' ? ` (${code}${position})` : '';
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
