import { joinedFor, MANAGED_BY_LABEL, MEMBER_CREDENTIAL } from '@promfleet/api';
import { ResourceClient, RoleBindings, Roles, ServiceAccounts, type KubeClient, type KubeObject, type ObjectOf } from '@promfleet/kube/client';

import { describeObject } from '../progress.ts';
import { PreconditionError } from './preflight.ts';

/** The credential objects join writes in a member, as they are there now (undefined: absent). */
export interface LiveCredential {
  readonly serviceAccount: ObjectOf<typeof ServiceAccounts> | undefined;
  readonly role: ObjectOf<typeof Roles> | undefined;
  readonly roleBinding: ObjectOf<typeof RoleBindings> | undefined;
}

/**
 * Who owns an existing object join would write, when it is not what `promfleet join` made for
 * this member: `Helm release promfleet-hub (namespace promfleet-system)`, `promfleet join for
 * member us-east`, `field managers kubectl-client-side-apply`. Undefined when join may change it:
 * absent, or labelled as join's for this member.
 */
export function foreignOwner(object: KubeObject | undefined, member: string): string | undefined {
  if (!object) return undefined;
  const joined = joinedFor(object.metadata?.labels);
  if (joined === member) return undefined;
  if (joined !== undefined) return `promfleet join for member ${joined}`;
  const annotations = object.metadata?.annotations ?? {};
  const release = annotations['meta.helm.sh/release-name'];
  if (release) {
    const namespace = annotations['meta.helm.sh/release-namespace'];
    return `Helm release ${release}${namespace ? ` (namespace ${namespace})` : ''}`;
  }
  const managedBy = object.metadata?.labels?.[MANAGED_BY_LABEL];
  if (managedBy) return `${managedBy} (label ${MANAGED_BY_LABEL})`;
  const managers = [
    ...new Set(
      (object.metadata?.managedFields ?? []).map((field) => (field as { manager?: unknown }).manager).filter((manager) => typeof manager === 'string'),
    ),
  ];
  if (managers.length > 0) return `field manager${managers.length > 1 ? 's' : ''} ${managers.join(', ')}`;
  const owner = object.metadata?.ownerReferences?.[0];
  if (owner) return `${owner.kind} ${owner.name}`;
  return 'someone else (no label, annotation or field manager says who)';
}

/**
 * Reads the ServiceAccount, Role and RoleBinding `promfleet-hub` join is about to apply, and
 * refuses — before anything is written — when one of them exists and is not join's for this
 * member: applying would take it over (on a hub that is also a member, the hub's own Role and
 * ServiceAccount; or another member's credential in the same namespace).
 */
export async function readOwnCredential(member: KubeClient, memberName: string, namespace: string): Promise<LiveCredential> {
  const [serviceAccount, role, roleBinding] = await Promise.all([
    new ResourceClient(member, ServiceAccounts).get(MEMBER_CREDENTIAL.serviceAccount, namespace),
    new ResourceClient(member, Roles).get(MEMBER_CREDENTIAL.role, namespace),
    new ResourceClient(member, RoleBindings).get(MEMBER_CREDENTIAL.roleBinding, namespace),
  ]);
  const foreign = [
    ['ServiceAccount', MEMBER_CREDENTIAL.serviceAccount, serviceAccount],
    ['Role', MEMBER_CREDENTIAL.role, role],
    ['RoleBinding', MEMBER_CREDENTIAL.roleBinding, roleBinding],
  ].flatMap(([kind, name, object]) => {
    const owner = foreignOwner(object as KubeObject | undefined, memberName);
    return owner === undefined ? [] : [`${describeObject(kind as string, name as string, namespace)} belongs to ${owner}`];
  });
  if (foreign.length > 0) {
    throw new PreconditionError(
      `${foreign.join('; ')}: join would take ${foreign.length > 1 ? 'them' : 'it'} over. Join into another namespace (--namespace), or, if ${foreign.length > 1 ? 'they are' : 'it is'} left over from an earlier join, remove ${foreign.length > 1 ? 'them' : 'it'} first (promfleet unjoin)`,
    );
  }
  return { serviceAccount, role, roleBinding };
}
