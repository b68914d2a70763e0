import { isNotFound } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { groupVersionPath, resourceType, type ResourceType } from './resource-types.ts';
import type { KubeObject } from './objects.ts';

interface APIResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** Whether the API server serves `plural` in group/version. */
export async function servesResource(client: KubeClient, group: string, version: string, plural: string): Promise<boolean> {
  try {
    const list = await client.request<APIResourceList>({ verb: 'discovery', method: 'GET', path: groupVersionPath(group, version) });
    return list.resources?.some((resource) => resource.name === plural) ?? false;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * The first of `versions` (most preferred first) in which the server serves the resource, e.g.
 * PodDisruptionBudget in policy/v1 on current clusters and policy/v1beta1 on v1.20.
 */
export async function preferredResource<T extends KubeObject>(
  client: KubeClient,
  group: string,
  versions: readonly string[],
  plural: string,
  kind: string,
  namespaced: boolean,
): Promise<ResourceType<T> | undefined> {
  for (const version of versions) {
    if (await servesResource(client, group, version, plural)) return resourceType<T>(group, version, plural, kind, namespaced);
  }
  return undefined;
}

/** `v1.20.2` from /version. */
export async function serverVersion(client: KubeClient, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const info = await client.request<{ gitVersion?: unknown }>({ verb: 'discovery', method: 'GET', path: '/version', ...options });
  // A member's word ends up in the MemberCluster's status: only a version-shaped one is repeated.
  return typeof info.gitVersion === 'string' && GIT_VERSION.test(info.gitVersion) ? info.gitVersion : 'unknown';
}

/** `v1.20.2`, `v1.30.2-eks-1a2b3c4`, `v1.29.1+k3s1`. */
const GIT_VERSION = /^v?\d{1,4}\.\d{1,4}(?:\.\d{1,6})?[-+.\w]{0,64}$/;
