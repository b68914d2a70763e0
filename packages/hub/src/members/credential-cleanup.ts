import { joinedFor, type MemberCluster } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { errorMessage, ResourceClient, Secrets, type KubeClient } from '@promfleet/kube/client';
import type { EventRecorder } from '@promfleet/kube/status';
import type { ISecret } from 'kubernetes-models/v1';

/**
 * Whether the hub may delete a MemberCluster's credential Secret when the MemberCluster goes: only
 * the Secret `promfleet join` stored for this very member (labelled both as join's and with the
 * member's name). A Secret a user made and bound by hand may hold more than the kubeconfig, or be
 * shared with other tooling: it stays.
 */
export function isJoinCredential(secret: ISecret | undefined, member: string): secret is ISecret {
  return secret !== undefined && joinedFor(secret.metadata?.labels) === member;
}

/**
 * Deletes the credential `promfleet join` stored for a leaving member (read from the cache, deleted
 * only if it is still that object). What stays in the member — the ServiceAccount, Role,
 * RoleBinding and token binding Secrets, which the hub's credential cannot touch — is for
 * `promfleet unjoin`. A failure is reported, never holds the MemberCluster: the Secret can be
 * deleted by hand.
 */
export async function deleteJoinCredential(hub: KubeClient, secrets: Informer<ISecret>, member: MemberCluster, events: EventRecorder): Promise<void> {
  const { name, namespace } = member.spec.kubeconfigSecretRef;
  const secret = secrets.get(`${namespace}/${name}`);
  if (!isJoinCredential(secret, member.metadata.name)) return;
  try {
    await new ResourceClient(hub, Secrets).delete(name, namespace, { preconditions: { uid: secret.metadata?.uid ?? '' } });
    await events.record(
      member,
      'Normal',
      'CredentialDeleted',
      `deleted Secret ${namespace}/${name}, the credential promfleet join stored; remove what it made in the member with promfleet unjoin ${member.metadata.name}`,
    );
  } catch (error) {
    await events.record(member, 'Warning', 'CredentialLeft', `could not delete Secret ${namespace}/${name}: ${errorMessage(error)}`);
  }
}
