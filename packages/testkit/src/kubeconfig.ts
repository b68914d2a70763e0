import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** A kubeconfig file's content, as kubectl writes it. */
export interface KubeconfigFile {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * A single-context kubeconfig. `name` is used for the cluster, user and context entries and must
 * be unique in the process: client-node caches connections by cluster and user name.
 */
export function buildKubeconfig(options: {
  name: string;
  server: string;
  ca: string;
  user: { token: string } | { cert: string; key: string };
  namespace?: string;
}): KubeconfigFile {
  const user =
    'token' in options.user
      ? { token: options.user.token }
      : { 'client-certificate-data': base64(options.user.cert), 'client-key-data': base64(options.user.key) };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: options.name, cluster: { server: options.server, 'certificate-authority-data': base64(options.ca) } }],
    users: [{ name: options.name, user }],
    contexts: [{ name: options.name, context: { cluster: options.name, user: options.name, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': options.name,
  };
}

export function kubeconfigYAML(config: KubeconfigFile): string {
  return stringify(config);
}

export function toKubeConfig(config: KubeconfigFile): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYAML(config));
  return kc;
}
