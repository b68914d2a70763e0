import { GROUP, PROMETHEUS_REPLICA } from '@promfleet/api';
import type { Applier } from '@promfleet/kube/apply';
import { canI, isUnauthorized, ResourceClient, ServiceAccounts, type KubeClient, type ObjectOf, type Writable } from '@promfleet/kube/client';

import { applyObject } from '../apply-step.ts';
import { describeObject, type StepLog } from '../progress.ts';
import type { Credential } from './token.ts';
import { deleteTokenBinding, tokenBindings } from './token-binding.ts';

type IServiceAccount = ObjectOf<typeof ServiceAccounts>;

/** How long join waits for the member to reject the token it replaced. */
export const REVOCATION_WAIT_MS = 30_000;

/**
 * Once the hub holds the new token: deletes every other token binding of this member in the
 * namespace, which revokes every token join issued before — the one the hub held, one a lost hub
 * still holds, one that leaked. When join had the previous token, it then waits until the member
 * rejects it: the API server keeps a successful authentication in its cache for 10 s by default.
 * Returns how many tokens it revoked.
 */
export async function revokePreviousTokens(
  member: KubeClient,
  target: { readonly member: string; readonly namespace: string; readonly keep: string },
  previous: Credential | undefined,
  log: StepLog,
  waitMs = REVOCATION_WAIT_MS,
): Promise<number> {
  const bindings = (await tokenBindings(member, target.member, target.namespace)).filter((binding) => binding.metadata?.name !== target.keep);
  for (const binding of bindings) await deleteTokenBinding(member, target.namespace, binding.metadata?.name ?? '', log, 'revokes the token bound to it');
  if (!previous) return bindings.length;
  const deadline = Date.now() + waitMs;
  while (!(await rejects(previous.client, target.namespace))) {
    if (Date.now() > deadline) {
      log.record({
        scope: 'member',
        subject: 'previous token',
        outcome: 'left',
        detail: `the member still accepted it ${String(Math.round(waitMs / 1000))}s after its Secret was deleted; check its API server's --service-account-lookup, or delete the ServiceAccount to revoke every token`,
      });
      return bindings.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  log.record({ scope: 'member', subject: 'previous token', outcome: 'revoked', detail: 'the member answers 401' });
  return bindings.length;
}

/**
 * Deletes a ServiceAccount a join before token binding made and creates it again: the tokens it
 * issued are bound to nothing join could delete, and only their ServiceAccount's deletion
 * revokes them — every one, the hub's current token too, until it gets the new one moments later.
 */
export async function replaceServiceAccount(
  member: KubeClient,
  applier: Applier,
  desired: Writable<IServiceAccount>,
  live: IServiceAccount,
  log: StepLog,
): Promise<IServiceAccount> {
  const accounts = new ResourceClient(member, ServiceAccounts);
  const name = desired.metadata?.name ?? '';
  const namespace = desired.metadata?.namespace;
  await accounts.delete(name, namespace, { preconditions: { uid: live.metadata?.uid ?? '' } });
  log.record({
    scope: 'member',
    subject: describeObject('ServiceAccount', name, namespace),
    outcome: 'deleted',
    detail: 'made before join bound its tokens: deleting it revokes every token it issued',
  });
  return applyObject(applier, accounts, desired, log, 'member', undefined);
}

async function rejects(client: KubeClient, namespace: string): Promise<boolean> {
  try {
    await canI(client, { verb: 'get', group: GROUP, resource: PROMETHEUS_REPLICA.plural, namespace });
    return false;
  } catch (error) {
    if (isUnauthorized(error)) return true;
    throw error;
  }
}
