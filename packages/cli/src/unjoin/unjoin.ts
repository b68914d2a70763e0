import {
  ANNOTATIONS,
  FIELD_MANAGERS,
  FINALIZERS,
  LABELS,
  MANAGED_BY_HUB,
  MANAGED_BY_LABEL,
  MEMBER_CREDENTIAL,
  MemberClusters,
  PrometheusReplicas,
} from '@promfleet/api';
import {
  isConnectionError,
  isNotFound,
  ResourceClient,
  RoleBindings,
  Roles,
  Secrets,
  ServiceAccounts,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '@promfleet/kube/client';
import { hasFinalizer } from '@promfleet/kube/status';

import { credentialSecretName } from '../join/objects.ts';
import { hubNamespaceOf, memberNamespaceOf } from '../join/options.ts';
import { foreignOwner } from '../join/ownership.ts';
import { deleteTokenBinding, tokenBindings } from '../join/token-binding.ts';
import { describeObject, StepLog, type ProgressListener, type Step } from '../progress.ts';

export interface UnjoinOptions {
  readonly name: string;
  /** Admin client for the hub. */
  readonly hub: KubeClient;
  /** Admin client for the member; absent → only the hub side is cleaned up. */
  readonly member?: KubeClient | undefined;
  /** Leave the hub-managed PrometheusReplicas in the member running. */
  readonly keepReplicas?: boolean | undefined;
  /** Member namespace, used only when the hub no longer has the MemberCluster to read it from. */
  readonly namespace?: string | undefined;
  /** Hub namespace of the credential Secret, used only when the MemberCluster is gone. */
  readonly hubNamespace?: string | undefined;
  readonly onProgress?: ProgressListener | undefined;
  /** How long to wait for the hub to let the MemberCluster go (its cleanup finalizer). */
  readonly finalizerWaitMs?: number | undefined;
}

/**
 * Why something stays: kept on request, not promfleet join's for this member (another owner's
 * object of the same name), the member was not given or not reachable, or an error.
 */
export type LeftBehindKind = 'kept' | 'not-ours' | 'no-member-access' | 'unreachable' | 'error';

export interface LeftBehind {
  readonly object: string;
  readonly kind: LeftBehindKind;
  readonly reason: string;
}

export interface UnjoinResult {
  readonly name: string;
  readonly namespace: string;
  readonly removed: readonly string[];
  /** Objects that were already gone. */
  readonly absent: readonly string[];
  readonly leftBehind: readonly LeftBehind[];
  readonly steps: readonly Step[];
}

interface MemberTask {
  /** What stays in the member when this task cannot run. */
  readonly object: string;
  readonly run: (member: KubeClient) => Promise<void>;
}

/**
 * Removes a member: the hub-managed PrometheusReplicas (unless kept) and the credential in the
 * member (RoleBinding, Role, token bindings, ServiceAccount), then the credential Secret and the
 * MemberCluster in the hub. The RoleBinding goes first, so a hub still running cannot re-create
 * a replica while they are being deleted. A member that is absent or unreachable does not stop
 * the hub cleanup; the result says what stayed.
 */
export async function unjoin(options: UnjoinOptions): Promise<UnjoinResult> {
  const log = new StepLog(options.onProgress);
  const leftBehind: LeftBehind[] = [];
  const existing = await new ResourceClient(options.hub, MemberClusters).get(options.name);
  const namespace = existing?.spec.namespace ?? memberNamespaceOf(options.namespace);
  const hubNamespace = existing?.spec.kubeconfigSecretRef.namespace ?? hubNamespaceOf(options.hubNamespace);
  const secretName = existing?.spec.kubeconfigSecretRef.name ?? credentialSecretName(options.name);

  const credentialObject = (type: ResourceType, name: string): MemberTask => ({
    object: describeObject(type.kind, name, namespace),
    run: (member) => removeOwn(member, type, name, namespace, options.name, log, leftBehind, 'member'),
  });
  const tasks: MemberTask[] = [
    credentialObject(RoleBindings, MEMBER_CREDENTIAL.roleBinding),
    {
      object: `PrometheusReplicas in ${namespace} labelled ${replicaSelector(options.name)}`,
      run: (member) => removeReplicas(member, options.name, namespace, options.keepReplicas === true, log, leftBehind),
    },
    credentialObject(Roles, MEMBER_CREDENTIAL.role),
    {
      object: `token binding Secrets in ${namespace} labelled ${joinSelector(options.name)}`,
      run: async (member) => {
        for (const binding of await tokenBindings(member, options.name, namespace)) {
          await deleteTokenBinding(member, namespace, binding.metadata?.name ?? '', log, 'revokes the token bound to it');
        }
      },
    },
    credentialObject(ServiceAccounts, MEMBER_CREDENTIAL.serviceAccount),
  ];
  const leave = (remaining: readonly MemberTask[], kind: LeftBehindKind, reason: string): void => {
    for (const { object } of remaining) {
      leftBehind.push({ object, kind, reason });
      log.record({ scope: 'member', subject: object, outcome: 'left', detail: reason });
    }
  };

  if (options.member) {
    for (const [index, task] of tasks.entries()) {
      try {
        await task.run(options.member);
      } catch (error) {
        if (isConnectionError(error)) {
          leave(tasks.slice(index), 'unreachable', `member unreachable at ${options.member.server}${error.timedOut ? ', timed out' : ''}`);
        } else {
          leave(tasks.slice(index), 'error', error instanceof Error ? error.message : String(error));
        }
        break;
      }
    }
  } else {
    leave(tasks, 'no-member-access', 'no member credentials given');
  }

  // The hub's copy of the credential first: a hub still running stops using it at once.
  await removeOwn(options.hub, Secrets, secretName, hubNamespace, options.name, log, leftBehind, 'hub');
  await releaseMemberCluster(options.hub, options.name, log, options.finalizerWaitMs ?? 10_000);
  return {
    name: options.name,
    namespace,
    removed: log.subjects('member', ['deleted']).concat(log.subjects('hub', ['deleted'])),
    absent: log.subjects('member', ['absent']).concat(log.subjects('hub', ['absent'])),
    leftBehind,
    steps: log.steps,
  };
}

/**
 * Deletes the MemberCluster. The hub holds it with a finalizer that removes the member's
 * replicas, but unjoin has already removed them (or reported why not) and revoked the
 * credential that cleanup would use, so it first tells the hub to leave the member alone. With a
 * hub running the MemberCluster is gone in moments; without one it stays Terminating until a
 * hub runs, and the step says so.
 */
async function releaseMemberCluster(hub: KubeClient, name: string, log: StepLog, waitMs: number): Promise<void> {
  const members = new ResourceClient(hub, MemberClusters);
  const subject = describeObject('MemberCluster', name, undefined);
  const existing = await members.get(name);
  if (!existing) {
    log.record({ scope: 'hub', subject, outcome: 'absent' });
    return;
  }
  if (hasFinalizer(existing, FINALIZERS.memberReplicas)) {
    await members.patch(name, undefined, { metadata: { annotations: { [ANNOTATIONS.keepReplicas]: 'true' } } });
  }
  await members.delete(name);
  const deadline = Date.now() + waitMs;
  while ((await members.get(name)) !== undefined) {
    if (Date.now() > deadline) {
      log.record({ scope: 'hub', subject, outcome: 'deleting', detail: 'the hub removes it once it has let go of the member; is promfleet-hub running?' });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log.record({ scope: 'hub', subject, outcome: 'deleted' });
}

function joinSelector(member: string): string {
  return `${MANAGED_BY_LABEL}=${FIELD_MANAGERS.cli},${LABELS.member}=${member}`;
}

function replicaSelector(member: string): string {
  return `${LABELS.managedBy}=${MANAGED_BY_HUB},${LABELS.member}=${member}`;
}

/**
 * Deletes one of the objects join makes — only if join made it for this member, as join only
 * changes those: an object of that name with another owner (a Helm release's, another member's)
 * stays, and the result names its owner. Deleted only while it is still the object read.
 */
async function removeOwn(
  client: KubeClient,
  type: ResourceType,
  name: string,
  namespace: string,
  memberName: string,
  log: StepLog,
  leftBehind: LeftBehind[],
  scope: 'member' | 'hub',
): Promise<void> {
  const resources = new ResourceClient(client, type);
  const subject = describeObject(type.kind, name, namespace);
  const live = await resources.get(name, namespace);
  const owner = foreignOwner(live, memberName);
  if (owner !== undefined) {
    const reason = `not promfleet join's for ${memberName}: it belongs to ${owner}`;
    leftBehind.push({ object: subject, kind: 'not-ours', reason });
    log.record({ scope, subject, outcome: 'left', detail: reason });
    return;
  }
  const deleted = live !== undefined && (await resources.delete(name, namespace, { preconditions: { uid: live.metadata?.uid ?? '' } }));
  log.record({ scope, subject, outcome: deleted ? 'deleted' : 'absent' });
}

async function remove(
  client: KubeClient,
  type: ResourceType,
  name: string,
  namespace: string | undefined,
  log: StepLog,
  scope: 'member' | 'hub',
): Promise<void> {
  const deleted = await new ResourceClient(client, type).delete(name, namespace);
  log.record({ scope, subject: describeObject(type.kind, name, namespace), outcome: deleted ? 'deleted' : 'absent' });
}

async function removeReplicas(member: KubeClient, name: string, namespace: string, keep: boolean, log: StepLog, leftBehind: LeftBehind[]): Promise<void> {
  const replicas = new ResourceClient(member, PrometheusReplicas);
  let items: KubeObject[];
  try {
    items = (await replicas.listAll({ namespace, labelSelector: replicaSelector(name) })).items;
  } catch (error) {
    // No PrometheusReplica CRD in the member: there are no replicas to remove.
    if (isNotFound(error)) return;
    throw error;
  }
  for (const replica of items) {
    const replicaName = replica.metadata?.name ?? '';
    const subject = describeObject('PrometheusReplica', replicaName, namespace);
    if (keep) {
      leftBehind.push({ object: subject, kind: 'kept', reason: 'kept (--keep-replicas)' });
      log.record({ scope: 'member', subject, outcome: 'left', detail: 'kept (--keep-replicas)' });
    } else {
      await remove(member, PrometheusReplicas, replicaName, namespace, log, 'member');
    }
  }
}
