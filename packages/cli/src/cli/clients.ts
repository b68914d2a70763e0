import { readFileSync } from 'node:fs';

import { KubeClient } from '@promfleet/kube/client';
import { loadKubeConfig, type KubeConfig } from '@promfleet/kube/kubeconfig';

/** A kubeconfig file and context from flags; both absent → KUBECONFIG, then ~/.kube/config. */
export interface ClusterSource {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export function loadSource(source: ClusterSource, what: string): KubeConfig {
  try {
    return loadKubeConfig({ file: source.kubeconfig, context: source.context });
  } catch (error) {
    throw new Error(`${what} kubeconfig${source.kubeconfig ? ` ${source.kubeconfig}` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export function clientFor(kubeConfig: KubeConfig, cluster: string, requestTimeoutMs: number): KubeClient {
  return new KubeClient(kubeConfig, { cluster, requestTimeoutMs, userAgent: 'promfleet-cli' });
}

/** PEM of the current cluster's CA, from `certificate-authority-data` or the `certificate-authority` file. */
export function clusterCA(kubeConfig: KubeConfig): string | undefined {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
  return undefined;
}

/** Runs `work` with clients and closes them afterwards, so no keep-alive socket holds the process open. */
export async function withClients<T>(clients: readonly (KubeClient | undefined)[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await Promise.allSettled(clients.filter((client) => client !== undefined).map((client) => client.close()));
  }
}
