import { GROUP, MEMBER_CLUSTER, PROMETHEUS_REPLICA } from '@promfleet/api';
import { CustomResourceDefinitions, ResourceClient, type KubeClient } from '@promfleet/kube/client';

import { describeObject, type StepLog, type StepScope } from '../progress.ts';

/** A precondition join checks before it writes anything: the error names what to do. */
export class PreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionError';
  }
}

async function established(client: KubeClient, name: string): Promise<'missing' | 'pending' | 'established'> {
  const crd = await new ResourceClient(client, CustomResourceDefinitions).get(name);
  if (!crd) return 'missing';
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? 'established' : 'pending';
}

async function requireCRD(client: KubeClient, name: string, where: string, remedy: string, log: StepLog, scope: StepScope): Promise<void> {
  const state = await established(client, name);
  if (state === 'missing') throw new PreconditionError(`the CustomResourceDefinition ${name} does not exist in ${where}: ${remedy}`);
  if (state === 'pending')
    throw new PreconditionError(
      `the CustomResourceDefinition ${name} in ${where} is not Established yet: wait a moment and re-run, or check it with kubectl describe crd ${name}`,
    );
  log.record({ scope, subject: describeObject('CustomResourceDefinition', name), outcome: 'checked', detail: 'Established' });
}

/** The member runs the replica operator's API: without it the hub would have nothing to write to. */
export async function requireReplicaCRD(member: KubeClient, memberName: string, log: StepLog): Promise<void> {
  await requireCRD(
    member,
    `${PROMETHEUS_REPLICA.plural}.${GROUP}`,
    `member ${memberName}`,
    'install the replica operator in the member first (helm install promfleet-replica-operator charts/promfleet-replica-operator)',
    log,
    'member',
  );
}

/** The hub runs promfleet-hub: without its CRD there is nowhere to register the member. */
export async function requireMemberClusterCRD(hub: KubeClient, log: StepLog): Promise<void> {
  await requireCRD(hub, `${MEMBER_CLUSTER.plural}.${GROUP}`, 'the hub', 'install the hub first (helm install promfleet-hub charts/promfleet-hub)', log, 'hub');
}
