import type { Applier } from '@promfleet/kube/apply';
import { Namespaces, ResourceClient, type KubeClient, type KubeObject, type Writable } from '@promfleet/kube/client';

import { describeObject, type StepLog, type StepScope } from './progress.ts';

/**
 * Server-side applies one object through the Applier, which sends nothing when the live object
 * already matches, and records whether it was created, updated or left unchanged. `known` is
 * the live object when the caller has just read it (undefined: absent); otherwise it is read.
 */
export async function applyObject<T extends KubeObject>(
  applier: Applier,
  resources: ResourceClient<T>,
  desired: Writable<T>,
  log: StepLog,
  scope: StepScope,
  ...known: [T | undefined] | []
): Promise<T> {
  const name = desired.metadata?.name ?? '';
  const namespace = desired.metadata?.namespace;
  const live = known.length > 0 ? known[0] : await resources.get(name, namespace);
  const result = await applier.apply(resources, desired, live);
  const outcome = live === undefined ? 'created' : result.changed ? 'updated' : 'unchanged';
  log.record({ scope, subject: describeObject(resources.type.kind, name, namespace), outcome });
  return result.object;
}

/**
 * Creates a namespace when it is missing. An existing namespace is left as it is: it is shared
 * with whatever else lives there, so join neither takes ownership of it nor unjoin deletes it.
 */
export async function ensureNamespace(applier: Applier, client: KubeClient, name: string, log: StepLog, scope: StepScope): Promise<void> {
  const namespaces = new ResourceClient(client, Namespaces);
  if (await namespaces.get(name)) {
    log.record({ scope, subject: describeObject('Namespace', name), outcome: 'exists' });
    return;
  }
  await applier.apply(namespaces, { metadata: { name } }, undefined);
  log.record({ scope, subject: describeObject('Namespace', name), outcome: 'created' });
}
