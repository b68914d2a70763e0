import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { KubeClient, ResourceClient, Secrets, type KubeObject, type ResourceType } from '@promfleet/kube/client';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { KitMetrics } from '@promfleet/kube/observability';
import type { TestCluster } from '@promfleet/testkit';
import { parse } from 'yaml';

import { credentialSecretName } from '../src/index.ts';

export { eventually } from '@promfleet/testkit';

/** An admin client for a testkit cluster, counting its requests in metrics of its own. */
export function adminClient(cluster: TestCluster, name = cluster.name): { client: KubeClient; metrics: KitMetrics } {
  const metrics = new KitMetrics();
  return { client: new KubeClient(cluster.kubeConfig, { cluster: name, metrics }), metrics };
}

export function resources<T extends KubeObject>(client: KubeClient, type: ResourceType<T>): ResourceClient<T> {
  return new ResourceClient(client, type);
}

interface StoredKubeconfig {
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { namespace?: string } }[];
  clusters: { name: string; cluster: { server: string } }[];
}

/** The kubeconfig join stored in the hub for a member, parsed. */
export async function storedCredential(
  hub: KubeClient,
  member: string,
  hubNamespace = 'promfleet-system',
): Promise<{ text: string; config: StoredKubeconfig; token: string } | undefined> {
  const secret = await resources(hub, Secrets).get(credentialSecretName(member), hubNamespace);
  const data = secret?.data?.kubeconfig;
  if (data === undefined) return undefined;
  const text = Buffer.from(data, 'base64').toString('utf8');
  const config = parse(text) as StoredKubeconfig;
  return { text, config, token: config.users[0]?.user.token ?? '' };
}

/** A client that authenticates as the stored member credential. */
export async function credentialClient(hub: KubeClient, member: string): Promise<KubeClient> {
  const stored = await storedCredential(hub, member);
  if (!stored) throw new Error(`no credential stored for ${member}`);
  return new KubeClient(loadKubeConfig({ text: stored.text }), { cluster: `credential-${member}` });
}

export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real command as a child process, from its TypeScript sources. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  // No PROMFLEET_* settings or kubeconfig of whoever runs the tests leak into the command.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PROMFLEET_') && key !== 'KUBECONFIG'));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', MAIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
