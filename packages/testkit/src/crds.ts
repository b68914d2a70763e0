import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ApiextensionsV1Api, loadAllYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';

import type { TestCluster } from './cluster.ts';
import { waitFor } from './http.ts';
import { repositoryRoot } from './paths.ts';

/** external-dns's DNSEndpoint CRD, for tests and the demo that exercise the hub's DNSEndpoint writer. */
export const EXTERNAL_DNS_CRD_DIR = join(repositoryRoot(), 'packages', 'testkit', 'crds');

/**
 * Every CRD document in a folder (default: the repository's generated `crds/`), deserialized
 * into client-node's models: its object API re-serializes known kinds through them and would
 * silently drop raw `x-kubernetes-*` keys.
 */
export async function readCRDs(dir = join(repositoryRoot(), 'crds')): Promise<V1CustomResourceDefinition[]> {
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of files) {
    for (const object of loadAllYaml(await readFile(join(dir, file), 'utf8')) as (V1CustomResourceDefinition | null)[]) {
      if (object?.kind === 'CustomResourceDefinition') crds.push(object);
    }
  }
  return crds;
}

/**
 * Creates or replaces CRDs in a cluster and waits until the API server has established them,
 * so the next request for the new kinds does not 404. Not server-side apply: v1.20 rejects an
 * applied CRD carrying `x-kubernetes-validations` (unknown to it), while create and update drop
 * the CEL rules it cannot run and keep them on current clusters. A new kind restarts the
 * cluster's controller-manager, whose garbage collector would otherwise learn of it only at its
 * next discovery, up to 30 s later.
 */
export async function installCRDs(cluster: TestCluster, options: { dir?: string; crds?: V1CustomResourceDefinition[] } = {}): Promise<string[]> {
  const crds = options.crds ?? (await readCRDs(options.dir));
  const extensions = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
  let newKinds = false;
  for (const crd of crds) {
    try {
      await extensions.createCustomResourceDefinition({ body: crd });
      newKinds = true;
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
      const name = crd.metadata?.name ?? '';
      const existing = await extensions.readCustomResourceDefinition({ name });
      // A replace must carry the stored resourceVersion; the loaded documents are ours to edit.
      if (crd.metadata && existing.metadata?.resourceVersion) crd.metadata.resourceVersion = existing.metadata.resourceVersion;
      await extensions.replaceCustomResourceDefinition({ name, body: crd });
    }
  }
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  await waitFor(
    `CRDs established in ${cluster.name}`,
    async () => {
      for (const name of names) {
        const crd = await extensions.readCustomResourceDefinition({ name });
        if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      }
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  // Otherwise what the new kinds own (a replica's StatefulSets, their Pods) outlives them for up to 30 s.
  if (newKinds) await cluster.controllerManager?.restart();
  return names;
}
