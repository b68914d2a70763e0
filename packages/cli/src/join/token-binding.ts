import { joinLabels, MANAGED_BY_LABEL, FIELD_MANAGERS, LABELS, MEMBER_CREDENTIAL } from '@promfleet/api';
import { ResourceClient, Secrets, type KubeClient, type ObjectOf } from '@promfleet/kube/client';

import { describeObject, type StepLog } from '../progress.ts';

type ISecret = ObjectOf<typeof Secrets>;

/**
 * A token can be revoked only through an object it is bound to, so join binds each token it
 * issues to a Secret of its own — empty, of this type, owned by the ServiceAccount — and
 * revokes a token by deleting its Secret: the member's API server rejects a bound token whose
 * object is gone (after its authentication cache, 10 s by default).
 */
export const TOKEN_BINDING_TYPE = 'promfleet.io/token-binding';
const NAME_PREFIX = `${MEMBER_CREDENTIAL.serviceAccount}-binding-`;

export interface TokenBinding {
  readonly name: string;
  readonly uid: string;
}

/** Creates the Secret the next token is bound to (a generated name: one per token). */
export async function createTokenBinding(
  member: KubeClient,
  memberName: string,
  namespace: string,
  serviceAccountUID: string,
  log: StepLog,
): Promise<TokenBinding> {
  const created = await new ResourceClient(member, Secrets).create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      generateName: NAME_PREFIX,
      namespace,
      labels: joinLabels(memberName),
      // Deleting the ServiceAccount (unjoin) takes its bindings with it.
      ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: MEMBER_CREDENTIAL.serviceAccount, uid: serviceAccountUID }],
    },
    type: TOKEN_BINDING_TYPE,
  });
  const name = created.metadata?.name ?? '';
  log.record({ scope: 'member', subject: describeObject('Secret', name, namespace), outcome: 'created', detail: 'the new token is bound to it' });
  return { name, uid: created.metadata?.uid ?? '' };
}

/** Join's token bindings in a member namespace, for one member. */
export async function tokenBindings(member: KubeClient, memberName: string, namespace: string): Promise<ISecret[]> {
  const selector = `${MANAGED_BY_LABEL}=${FIELD_MANAGERS.cli},${LABELS.member}=${memberName}`;
  const { items } = await new ResourceClient(member, Secrets).listAll({ namespace, labelSelector: selector });
  return items.filter((secret) => secret.type === TOKEN_BINDING_TYPE);
}

/** Deletes a token binding, which revokes the token bound to it; false when it was already gone. */
export async function deleteTokenBinding(member: KubeClient, namespace: string, name: string, log: StepLog, why: string): Promise<boolean> {
  const deleted = await new ResourceClient(member, Secrets).delete(name, namespace);
  log.record({ scope: 'member', subject: describeObject('Secret', name, namespace), outcome: deleted ? 'deleted' : 'absent', detail: why });
  return deleted;
}
