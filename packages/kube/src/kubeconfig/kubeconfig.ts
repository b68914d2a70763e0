import { accessSync, existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

import { parse } from 'yaml';

import { pluginAuthorization } from './auth-plugins.ts';

/** A cluster entry, with client-node's field names. */
export interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  readonly caData?: string | undefined;
  readonly caFile?: string | undefined;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string | undefined;
  readonly proxyUrl?: string | undefined;
}

/** A user entry, with client-node's field names. */
export interface KubeconfigUser {
  readonly name: string;
  readonly token?: string | undefined;
  readonly certData?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyData?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly authProvider?: unknown;
  readonly exec?: unknown;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly impersonateUser?: string | undefined;
}

export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user?: string | undefined;
  readonly namespace?: string | undefined;
}

export interface KubeconfigOptions {
  readonly clusters: readonly KubeconfigCluster[];
  readonly users: readonly KubeconfigUser[];
  readonly contexts: readonly KubeconfigContext[];
  readonly currentContext: string | undefined;
}

/** What `applyToHTTPSOptions` fills in: TLS material and the Authorization header. */
export interface HTTPSOptions {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers?: Record<string, string>;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** client-go and client-node re-read a token file after a minute: the kubelet rotates it. */
const TOKEN_FILE_REFRESH_MS = 60_000;

/**
 * A kubeconfig as client-node 2 reads one — the same files, defaults, merge rules and field
 * names — without loading client-node: its generated API models are most of a controller's
 * memory, and the kit sends its requests itself. Static credentials (tokens, token files, client
 * certificates) are handled here; auth plugins (exec, auth-provider) are client-node's, loaded on
 * the first request that needs one.
 */
export class KubeConfig {
  clusters: KubeconfigCluster[] = [];
  users: KubeconfigUser[] = [];
  contexts: KubeconfigContext[] = [];
  currentContext: string | undefined;
  #tokenFile: { token: string; readAt: number } | undefined;

  static fromOptions(options: KubeconfigOptions): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions(options);
    return config;
  }

  loadFromOptions(options: KubeconfigOptions): void {
    this.clusters = [...options.clusters];
    this.users = [...options.users];
    this.contexts = [...options.contexts];
    this.currentContext = options.currentContext;
  }

  /** A kubeconfig's YAML or JSON text. */
  loadFromString(text: string): void {
    const document = (parse(text) ?? {}) as Record<string, unknown>;
    this.clusters = entries(document.clusters, 'clusters', readCluster);
    this.contexts = entries(document.contexts, 'contexts', readContext);
    this.users = entries(document.users, 'users', readUser);
    this.currentContext = typeof document['current-context'] === 'string' ? document['current-context'] : undefined;
  }

  /** A kubeconfig file; relative certificate and key paths are taken from its folder. */
  loadFromFile(file: string): void {
    this.loadFromString(readFileSync(file, 'utf8'));
    const root = dirname(file);
    const absolute = (path: string | undefined): string | undefined => (path === undefined || isAbsolute(path) ? path : join(root, path));
    this.clusters = this.clusters.map((cluster) => (cluster.caFile ? { ...cluster, caFile: absolute(cluster.caFile) } : cluster));
    this.users = this.users.map((user) => ({ ...user, certFile: absolute(user.certFile), keyFile: absolute(user.keyFile) }));
  }

  /** KUBECONFIG (its files merged, the first one's context current), ~/.kube/config, the in-cluster service account, or localhost:8080 — client-node's order. */
  loadFromDefault(): void {
    const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
    const [first, ...rest] = files;
    if (first !== undefined) {
      this.loadFromFile(first);
      for (const file of rest) {
        const other = new KubeConfig();
        other.loadFromFile(file);
        this.#merge(other);
      }
      return;
    }
    const home = homeDirectory();
    if (home !== undefined && existsSync(join(home, '.kube', 'config'))) {
      this.loadFromFile(join(home, '.kube', 'config'));
      return;
    }
    if (existsSync(`${SERVICE_ACCOUNT}/token`)) {
      this.loadFromCluster();
      return;
    }
    this.loadFromOptions({
      clusters: [{ name: 'cluster', server: 'http://localhost:8080', skipTLSVerify: false }],
      users: [{ name: 'user' }],
      contexts: [{ name: 'loaded-context', cluster: 'cluster', user: 'user' }],
      currentContext: 'loaded-context',
    });
  }

  /** The pod's service account: its CA, its token file (re-read as the kubelet rotates it), its namespace. */
  loadFromCluster(pathPrefix = ''): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '';
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    const namespaceFile = `${pathPrefix}${SERVICE_ACCOUNT}/namespace`;
    this.loadFromOptions({
      clusters: [
        {
          name: 'inCluster',
          caFile: `${pathPrefix}${SERVICE_ACCOUNT}/ca.crt`,
          server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${pathPrefix}${SERVICE_ACCOUNT}/token` } } }],
      contexts: [
        {
          name: 'inClusterContext',
          cluster: 'inCluster',
          user: 'inClusterUser',
          namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8') : undefined,
        },
      ],
      currentContext: 'inClusterContext',
    });
  }

  getCurrentContext(): string | undefined {
    return this.currentContext;
  }

  setCurrentContext(context: string): void {
    this.currentContext = context;
  }

  getContextObject(name: string | undefined): KubeconfigContext | null {
    return this.contexts.find((context) => context.name === name) ?? null;
  }

  getCluster(name: string): KubeconfigCluster | null {
    return this.clusters.find((cluster) => cluster.name === name) ?? null;
  }

  getUser(name: string | undefined): KubeconfigUser | null {
    return this.users.find((user) => user.name === name) ?? null;
  }

  getCurrentCluster(): KubeconfigCluster | null {
    const context = this.getContextObject(this.currentContext);
    return context ? this.getCluster(context.cluster) : null;
  }

  getCurrentUser(): KubeconfigUser | null {
    const context = this.getContextObject(this.currentContext);
    return context ? this.getUser(context.user) : null;
  }

  /** TLS options and the Authorization header for the current context, as client-node's method of that name sets them. */
  async applyToHTTPSOptions(options: HTTPSOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (!user) return;
    if (cluster?.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster?.tlsServerName) options.servername = cluster.tlsServerName;
    const ca = cluster ? fileOrData(cluster.caFile, cluster.caData) : undefined;
    if (ca) options.ca = ca;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) options.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) options.key = key;
    options.headers ??= {};
    if (user.impersonateUser) options.headers['Impersonate-User'] = user.impersonateUser;
    const tokenFile = tokenFileOf(user);
    if (tokenFile !== undefined) {
      options.headers.Authorization = `Bearer ${this.#readTokenFile(tokenFile)}`;
    } else if (user.authProvider !== undefined || user.exec !== undefined) {
      const authorization = await pluginAuthorization(this);
      if (authorization !== undefined) options.headers.Authorization = authorization;
    }
    if (user.token) options.headers.Authorization = `Bearer ${user.token}`;
  }

  #readTokenFile(file: string): string {
    const now = Date.now();
    if (this.#tokenFile === undefined || now - this.#tokenFile.readAt > TOKEN_FILE_REFRESH_MS)
      this.#tokenFile = { token: readFileSync(file, 'utf8'), readAt: now };
    return this.#tokenFile.token;
  }

  #merge(other: KubeConfig): void {
    if (other.currentContext) this.currentContext = other.currentContext;
    const add = <T extends { name: string }>(list: T[], items: readonly T[], what: string): void => {
      for (const item of items) {
        if (list.some((existing) => existing.name === item.name)) throw new Error(`Duplicate ${what}: ${item.name}`);
        list.push(item);
      }
    };
    add(this.clusters, other.clusters, 'cluster');
    add(this.users, other.users, 'user');
    add(this.contexts, other.contexts, 'context');
  }
}

export interface KubeConfigSource {
  /** A kubeconfig file; absent → KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  readonly file?: string | undefined;
  /** A kubeconfig's YAML or JSON text (from a Secret). */
  readonly text?: string;
  /** Context to use instead of the current one. */
  readonly context?: string | undefined;
}

/** Loads a kubeconfig the way kubectl finds one, with an optional context override. */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.text !== undefined) kc.loadFromString(source.text);
  else if (source.file) kc.loadFromFile(source.file);
  else kc.loadFromDefault();
  if (source.context) {
    if (!kc.getContextObject(source.context)) throw new Error(`kubeconfig has no context ${JSON.stringify(source.context)}`);
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current context with a cluster');
  return kc;
}

/** The in-cluster user's token file (client-node's `tokenFile` auth provider), read here rather than by client-node. */
function tokenFileOf(user: KubeconfigUser): string | undefined {
  const provider = user.authProvider as { name?: unknown; config?: { tokenFile?: unknown } } | undefined;
  const file = provider?.config?.tokenFile;
  return typeof file === 'string' && file !== '' ? file : undefined;
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

function homeDirectory(): string | undefined {
  const home = process.env.HOME;
  if (!home) return undefined;
  try {
    accessSync(home);
    return home;
  } catch {
    return undefined;
  }
}

type Entry = Record<string, unknown>;

function entries<T>(list: unknown, what: string, read: (entry: Entry, index: number) => T): T[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: unknown, index) => {
    const value = (typeof entry === 'object' && entry !== null ? entry : {}) as Entry;
    if (!value.name) throw new Error(`${what}[${String(index)}].name is missing`);
    return read(value, index);
  });
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** client-node takes an empty string as absent. */
const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function readCluster(entry: Entry, index: number): KubeconfigCluster {
  const cluster = entry.cluster as Entry | undefined;
  if (!cluster) throw new Error(`clusters[${String(index)}].cluster is missing`);
  const server = text(cluster.server);
  if (!server) throw new Error(`clusters[${String(index)}].cluster.server is missing`);
  return {
    name: String(entry.name),
    server: server.replace(/\/$/, ''),
    caData: text(cluster['certificate-authority-data']),
    caFile: text(cluster['certificate-authority']),
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: text(cluster['tls-server-name']),
    proxyUrl: text(cluster['proxy-url']),
  };
}

function readUser(entry: Entry): KubeconfigUser {
  const user = (entry.user ?? {}) as Entry;
  const tokenFile = text(user['token-file']);
  return {
    name: String(entry.name),
    authProvider: user['auth-provider'] ?? undefined,
    exec: user.exec ?? undefined,
    certData: text(user['client-certificate-data']),
    certFile: text(user['client-certificate']),
    keyData: text(user['client-key-data']),
    keyFile: text(user['client-key']),
    // client-node reads `token-file` once, when the kubeconfig is loaded.
    token: nonEmpty(user.token) ?? (tokenFile ? readFileSync(tokenFile, 'utf8') : undefined),
    username: text(user.username),
    password: text(user.password),
    impersonateUser: text(user.as),
  };
}

function readContext(entry: Entry, index: number): KubeconfigContext {
  const context = entry.context as Entry | undefined;
  if (!context) throw new Error(`contexts[${String(index)}].context is missing`);
  const cluster = text(context.cluster);
  if (!cluster) throw new Error(`contexts[${String(index)}].context.cluster is missing`);
  return { name: String(entry.name), cluster, user: nonEmpty(context.user), namespace: nonEmpty(context.namespace) };
}
