import { DEFAULTS } from '@promfleet/api';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { EXIT, UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { joinInputProblems } from '../join/options.ts';
import { formatStep } from '../progress.ts';
import { unjoin, type UnjoinResult } from '../unjoin/unjoin.ts';
import { AMBIGUOUS_KUBECTL_FLAGS, HUB_FLAGS, MEMBER_FLAGS, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export interface UnjoinInvocation {
  readonly name: string;
  /** Undefined when neither member flag was given: only the hub side is cleaned up. */
  readonly member: ClusterSource | undefined;
  readonly hub: ClusterSource;
  readonly namespace: string | undefined;
  readonly hubNamespace: string | undefined;
  readonly keepReplicas: boolean;
  readonly requestTimeoutMs: number;
}

export const unjoinCommand = defineCommand({
  name: 'unjoin',
  usage: 'unjoin NAME [--member-kubeconfig FILE | --member-context NAME] [flags]',
  description: `Deletes, in the member: the RoleBinding promfleet-hub first (the hub loses access at once),
the PrometheusReplicas the hub manages for this member (unless --keep-replicas), then the Role,
the Secrets join bound its tokens to and the ServiceAccount (which invalidates every token).
Then, in the hub: the credential Secret and the MemberCluster. The member namespace is read
from the MemberCluster. Like join, it deletes only what join made for this member: a
ServiceAccount, Role, RoleBinding or Secret of that name with another owner (e.g. a Helm
release) stays, and the summary names its owner.

Without member flags, or when the member cannot be reached, only the hub side is cleaned up
and the summary lists what was left in the member; the exit code is still 0. The namespace
itself is never deleted: it holds what the region's admins created.`,
  examples: [
    'promfleet unjoin eu-west --member-context eu-west-admin',
    'promfleet unjoin eu-west --member-context eu-west-admin --keep-replicas',
    'promfleet unjoin decommissioned-cluster',
  ],
  flags: {
    ...MEMBER_FLAGS,
    ...HUB_FLAGS,
    'keep-replicas': { type: 'boolean', description: 'Leave the hub-managed PrometheusReplicas (and their Prometheus) running in the member.' },
    namespace: {
      type: 'string',
      value: 'NAME',
      description: `Member namespace, used only when the MemberCluster is already gone (absent: ${DEFAULTS.memberNamespace}).`,
    },
    'hub-namespace': {
      type: 'string',
      value: 'NAME',
      description: `Hub namespace of the Secret, used only when the MemberCluster is already gone (absent: ${DEFAULTS.hubNamespace}).`,
    },
    ...REQUEST_TIMEOUT_FLAG,
  },
  refused: AMBIGUOUS_KUBECTL_FLAGS,
  parse(flags, positional): UnjoinInvocation {
    const [name = ''] = expectArguments('unjoin', positional, ['NAME']);
    const invocation: UnjoinInvocation = {
      name,
      member:
        flags['member-kubeconfig'] === undefined && flags['member-context'] === undefined
          ? undefined
          : { kubeconfig: flags['member-kubeconfig'], context: flags['member-context'] },
      hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] },
      namespace: flags.namespace,
      hubNamespace: flags['hub-namespace'],
      keepReplicas: flags['keep-replicas'],
      requestTimeoutMs: flags['request-timeout'],
    };
    const problems = joinInputProblems(invocation);
    if (problems.length > 0) throw new UsageError(`unjoin: ${problems.join('; ')}`);
    return invocation;
  },
  execute: executeUnjoin,
});

async function executeUnjoin(invocation: UnjoinInvocation, io: CliIO): Promise<number> {
  const hub = clientFor(loadSource(invocation.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
  const member = invocation.member ? clientFor(loadSource(invocation.member, 'member'), invocation.name, invocation.requestTimeoutMs) : undefined;
  const result = await withClients([hub, member], () =>
    unjoin({
      name: invocation.name,
      hub,
      member,
      keepReplicas: invocation.keepReplicas,
      namespace: invocation.namespace,
      hubNamespace: invocation.hubNamespace,
      onProgress: (step) => {
        io.err(`${formatStep(step, invocation.name)}\n`);
      },
    }),
  );
  io.err(summarizeUnjoin(result));
  return result.leftBehind.some((left) => left.kind === 'error') ? EXIT.failure : EXIT.ok;
}

/** `unjoined eu-west: removed 5 objects`, then one line per reason something was left behind. */
export function summarizeUnjoin(result: UnjoinResult): string {
  const byReason = new Map<string, string[]>();
  for (const left of result.leftBehind) byReason.set(left.reason, [...(byReason.get(left.reason) ?? []), left.object]);
  const removed =
    result.removed.length === 0 ? 'nothing to remove' : `removed ${String(result.removed.length)} object${result.removed.length === 1 ? '' : 's'}`;
  const lines = [`unjoined ${result.name}: ${removed}`];
  for (const [reason, objects] of byReason) lines.push(`${reason}: left ${objects.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
