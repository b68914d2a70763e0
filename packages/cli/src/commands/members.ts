import { MemberClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import type { CliIO } from '../cli/io.ts';
import { renderOutput, type OutputFormat } from '../output/format.ts';
import { renderTable } from '../output/table.ts';
import { MEMBER_COLUMNS, memberRows, memberViews, type MemberView } from '../read-models/members.ts';
import { HUB_FLAGS, KUBECTL_HUB_ALIASES, OUTPUT_FLAG, outputFormat, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export interface MembersInvocation {
  readonly hub: ClusterSource;
  readonly output: OutputFormat;
  readonly requestTimeoutMs: number;
}

export function renderMembers(views: readonly MemberView[], format: OutputFormat, now: Date): string {
  return renderOutput(format, views, () => (views.length === 0 ? 'No members joined.\n' : renderTable(MEMBER_COLUMNS, memberRows(views, now))));
}

export const membersCommand = defineCommand({
  name: 'members',
  usage: 'members [flags]',
  description: `Lists the MemberClusters in the hub. READY is the hub's last probe result; CREDENTIAL is
scoped (the credential can do no more than its Role), over-privileged (someone widened it: the hub
found more rights with a SelfSubjectRulesReview), expires in N d (7 days or less left; re-run
join --rotate), expired, or unknown (not probed yet). OPERATOR is the replica operator version
the member's PrometheusReplicas report (two while an upgrade rolls; - before any reports one).`,
  examples: ['promfleet members', 'promfleet members -o yaml', 'kubectl promfleet members --hub-context hub'],
  flags: { ...HUB_FLAGS, ...OUTPUT_FLAG, ...REQUEST_TIMEOUT_FLAG },
  shorthands: { o: 'output' },
  aliases: KUBECTL_HUB_ALIASES,
  parse(flags, positional): MembersInvocation {
    expectArguments('members', positional, []);
    return {
      hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] },
      output: outputFormat(flags.output),
      requestTimeoutMs: flags['request-timeout'],
    };
  },
  execute: async (invocation: MembersInvocation, io: CliIO) => {
    const hub = clientFor(loadSource(invocation.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
    const { items } = await withClients([hub], () => new ResourceClient(hub, MemberClusters).listAll());
    const now = io.now();
    io.out(renderMembers(memberViews(items, now), invocation.output, now));
    return 0;
  },
});
