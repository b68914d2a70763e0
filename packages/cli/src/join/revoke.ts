import { GROUP, PROMETHEUS_REPLICA } from '@promfleet/api';
import { canI, isUnauthorized, type KubeClient } from '@promfleet/kube';

import type { StepLog } from '../progress.ts';
import type { Credential } from './token.ts';
import { deleteTokenBinding, tokenBindings } from './token-binding.ts';

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

async function rejects(client: KubeClient, namespace: string): Promise<boolean> {
  try {
    await canI(client, { verb: 'get', group: GROUP, resource: PROMETHEUS_REPLICA.plural, namespace });
    return false;
  } catch (error) {
    if (isUnauthorized(error)) return true;
    throw error;
  }
}
