import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * What the hub takes from a member kubeconfig, and nothing else: an allow-list of keys and
 * values checked one by one. Everything a kubeconfig can also say — files and paths to read,
 * programs to run (`exec`, `auth-provider`), a proxy, impersonation, basic auth, a merge key —
 * is refused by its key, because a Secret must not make the hub read its own files, run
 * programs or send its requests elsewhere. Messages name the offending key, never a value.
 */

/** The validated values a member client is built from. */
export interface MemberCredentialValues {
  readonly server: string;
  /** Base64 PEM, as in the kubeconfig; absent: the system's trusted CAs. */
  readonly caData: string | undefined;
  readonly tlsServerName: string | undefined;
  readonly token: string | undefined;
  /** Base64 PEM, as in the kubeconfig. */
  readonly certData: string | undefined;
  readonly keyData: string | undefined;
  readonly certificate: string | undefined;
  readonly namespace: string | undefined;
}

export type AllowListResult =
  { readonly ok: true; readonly values: MemberCredentialValues } | { readonly ok: false; readonly unsupported: boolean; readonly message: string };

const TOP_KEYS = ['apiVersion', 'kind', 'clusters', 'users', 'contexts', 'current-context', 'preferences'];
const CLUSTER_KEYS = ['server', 'certificate-authority-data', 'tls-server-name'];
const USER_KEYS = ['token', 'client-certificate-data', 'client-key-data'];
const CONTEXT_KEYS = ['cluster', 'user', 'namespace'];
const ALLOWED_USER = 'token, or client-certificate-data and client-key-data';
const ALLOWED_CLUSTER = 'server, certificate-authority-data and tls-server-name';

// A key is shown only when it looks like a kubeconfig key; anything else could be a pasted secret.
const SHOWABLE_KEY = /^(?:<<|[A-Za-z][A-Za-z0-9_-]{0,40})$/;
const PRINTABLE_TOKEN = /^[\x21-\x7e]{1,16384}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/i;
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

class Refusal extends Error {
  readonly unsupported: boolean;

  constructor(message: string, unsupported: boolean) {
    super(message);
    this.unsupported = unsupported;
  }
}

const invalid = (message: string): never => {
  throw new Refusal(message, false);
};
const unsupported = (message: string): never => {
  throw new Refusal(message, true);
};

function describeKey(key: string): string {
  return SHOWABLE_KEY.test(key) ? key : 'a key that is not a kubeconfig field (not shown)';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, path: string): Record<string, unknown> {
  if (!isMapping(value)) return invalid(`${path} must be a mapping`);
  return value;
}

function onlyKeys(value: Record<string, unknown>, path: string, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) unsupported(`${path} has ${describeKey(key)}, which the hub does not accept: it takes only ${what}`);
  }
}

function optionalString(value: Record<string, unknown>, key: string, path: string): string | undefined {
  const found = value[key];
  if (found === undefined || found === null) return undefined;
  if (typeof found !== 'string') return invalid(`${path}.${key} must be a string`);
  return found;
}

interface Named {
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** `clusters`, `users` or `contexts`: a list of `{ name, <field>: mapping }`. */
function namedList(config: Record<string, unknown>, list: string, field: string): Named[] {
  const entries = config[list] ?? [];
  if (!Array.isArray(entries)) return invalid(`${list} must be a list`);
  return entries.map((entry: unknown, index) => {
    const path = `${list}[${String(index)}]`;
    const item = mapping(entry, path);
    onlyKeys(item, path, ['name', field], `name and ${field}`);
    const name = item.name;
    if (typeof name !== 'string' || name === '') return invalid(`${path}.name must be a non-empty string`);
    return { name, body: mapping(item[field], `${path}.${field}`) };
  });
}

function pemCertificates(base64: string, path: string): string {
  const pem = decodeBase64(base64, path);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return invalid(`${path} must be base64 of PEM certificates`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      invalid(`${path} holds a PEM block that is not a valid certificate`);
    }
  }
  return pem;
}

function decodeBase64(value: string, path: string): string {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return invalid(`${path} must be base64`);
  return Buffer.from(compact, 'base64').toString('utf8');
}

function server(cluster: Record<string, unknown>, path: string): string {
  const text = optionalString(cluster, 'server', path);
  let url: URL | undefined;
  try {
    url = text === undefined || /[\s\p{Cc}]/u.test(text) ? undefined : new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hostname === '') {
    return invalid(`${path}.server must be an https:// URL without credentials`);
  }
  return url.toString().replace(/\/+$/, '');
}

function clusterValues(cluster: Record<string, unknown>, path: string): Pick<MemberCredentialValues, 'server' | 'caData' | 'tlsServerName'> {
  if ('insecure-skip-tls-verify' in cluster)
    unsupported(`${path} has insecure-skip-tls-verify, which the hub does not accept: give the member's CA as certificate-authority-data`);
  onlyKeys(cluster, path, CLUSTER_KEYS, ALLOWED_CLUSTER);
  const caData = optionalString(cluster, 'certificate-authority-data', path);
  if (caData !== undefined) pemCertificates(caData, `${path}.certificate-authority-data`);
  const tlsServerName = optionalString(cluster, 'tls-server-name', path);
  if (tlsServerName !== undefined && !HOSTNAME.test(tlsServerName) && isIP(tlsServerName) === 0) invalid(`${path}.tls-server-name must be a DNS name`);
  return { server: server(cluster, path), caData: caData?.replace(/\s+/g, ''), tlsServerName };
}

function userValues(user: Record<string, unknown>, path: string): Pick<MemberCredentialValues, 'token' | 'certData' | 'keyData' | 'certificate'> {
  onlyKeys(user, path, USER_KEYS, ALLOWED_USER);
  const token = optionalString(user, 'token', path);
  if (token !== undefined && !PRINTABLE_TOKEN.test(token)) invalid(`${path}.token must be printable ASCII without spaces, at most 16384 characters`);
  const certData = optionalString(user, 'client-certificate-data', path);
  const keyData = optionalString(user, 'client-key-data', path);
  if ((certData === undefined) !== (keyData === undefined)) invalid(`${path} needs both client-certificate-data and client-key-data, or neither`);
  if (token === undefined && certData === undefined) invalid(`${path} needs a ${ALLOWED_USER}`);
  let certificate: string | undefined;
  if (certData !== undefined && keyData !== undefined) {
    certificate = pemCertificates(certData, `${path}.client-certificate-data`);
    let key;
    try {
      key = createPrivateKey(decodeBase64(keyData, `${path}.client-key-data`));
    } catch (error) {
      if (error instanceof Refusal) throw error;
      return invalid(`${path}.client-key-data must be base64 of a PEM private key`);
    }
    if (!new X509Certificate(certificate).checkPrivateKey(key)) invalid(`${path}.client-key-data is not the key of client-certificate-data`);
  }
  return { token, certData: certData?.replace(/\s+/g, ''), keyData: keyData?.replace(/\s+/g, ''), certificate };
}

/** Checks a parsed kubeconfig against the allow-list and returns the values the hub may use. */
export function allowListed(document: unknown): AllowListResult {
  try {
    const config = mapping(document, 'the kubeconfig');
    onlyKeys(config, 'the kubeconfig', TOP_KEYS, TOP_KEYS.join(', '));
    for (const key of ['apiVersion', 'kind', 'current-context']) optionalString(config, key, 'the kubeconfig');
    if (config.preferences !== undefined && config.preferences !== null) onlyKeys(mapping(config.preferences, 'preferences'), 'preferences', [], 'nothing');
    const clusters = namedList(config, 'clusters', 'cluster');
    const users = namedList(config, 'users', 'user');
    const contexts = namedList(config, 'contexts', 'context');
    if (contexts.length !== 1) invalid(`the kubeconfig must have exactly one context (has ${String(contexts.length)})`);
    const context = contexts[0]?.body ?? {};
    onlyKeys(context, 'contexts[0].context', CONTEXT_KEYS, CONTEXT_KEYS.join(', '));
    const clusterName = optionalString(context, 'cluster', 'contexts[0].context');
    const userName = optionalString(context, 'user', 'contexts[0].context');
    const namespace = optionalString(context, 'namespace', 'contexts[0].context');
    if (namespace !== undefined && !NAMESPACE.test(namespace)) invalid('contexts[0].context.namespace must be a namespace name');
    // Every entry is checked, used or not: nothing refused may sit in a Secret the hub accepts.
    const clusterValuesByName = new Map(clusters.map((entry, index) => [entry.name, clusterValues(entry.body, `clusters[${String(index)}].cluster`)]));
    const userValuesByName = new Map(users.map((entry, index) => [entry.name, userValues(entry.body, `users[${String(index)}].user`)]));
    const cluster = clusterName === undefined ? undefined : clusterValuesByName.get(clusterName);
    const user = userName === undefined ? undefined : userValuesByName.get(userName);
    if (!cluster) return invalid("the context's cluster is not one of the kubeconfig's clusters");
    if (!user) return invalid("the context's user is not one of the kubeconfig's users");
    return { ok: true, values: { ...cluster, ...user, namespace } };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, unsupported: error.unsupported, message: error.message };
    throw error;
  }
}
