import { PrometheusClusters } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { renderOutput, type OutputFormat } from '../output/format.ts';
import { renderStatusTable, statusViews, type ClusterStatusView } from '../read-models/status.ts';
import { wholeClusters } from '../read-models/whole-clusters.ts';
import { HUB_FLAGS, KUBECTL_HUB_ALIASES, OUTPUT_FLAG, outputFormat, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export interface StatusInvocation {
  readonly hub: ClusterSource;
  /** One PrometheusCluster, or all of them. */
  readonly target: { readonly namespace: string; readonly name: string } | undefined;
  readonly output: OutputFormat;
  readonly requestTimeoutMs: number;
}

export function renderStatus(views: readonly ClusterStatusView[], format: OutputFormat): string {
  return renderOutput(format, views, () => renderStatusTable(views));
}

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'status [NAMESPACE/NAME] [flags]',
  description: `Shows each PrometheusCluster (or the one named) from the hub: its phase and how many selected
members are ready, then per member its replica's phase, readiness and whether the entry is stale
(the member is offline and this is its last known state), then the round-robin DNS records built
from ready, non-stale members.`,
  examples: ['promfleet status', 'promfleet status platform/cloud-clusters', 'promfleet status platform/cloud-clusters -o json'],
  flags: { ...HUB_FLAGS, ...OUTPUT_FLAG, ...REQUEST_TIMEOUT_FLAG },
  shorthands: { o: 'output' },
  aliases: KUBECTL_HUB_ALIASES,
  parse(flags, positional): StatusInvocation {
    const [reference] = expectArguments('status', positional, ['NAMESPACE/NAME'], 1);
    let target: StatusInvocation['target'];
    if (reference !== undefined) {
      const [namespace = '', name = '', ...rest] = reference.split('/');
      if (!namespace || !name || rest.length > 0) throw new UsageError(`status: ${JSON.stringify(reference)} is not NAMESPACE/NAME`);
      target = { namespace, name };
    }
    return {
      hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] },
      target,
      output: outputFormat(flags.output),
      requestTimeoutMs: flags['request-timeout'],
    };
  },
  execute: async (invocation: StatusInvocation, io: CliIO) => {
    const hub = clientFor(loadSource(invocation.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
    const clusters = new ResourceClient(hub, PrometheusClusters);
    const { target } = invocation;
    const items = await withClients([hub], async () => {
      if (target === undefined) return wholeClusters(hub, (await clusters.listAll()).items);
      const found = await clusters.get(target.name, target.namespace);
      if (!found) throw new Error(`PrometheusCluster ${target.namespace}/${target.name} not found in the hub`);
      return wholeClusters(hub, [found]);
    });
    io.out(renderStatus(statusViews(items), invocation.output));
    return 0;
  },
});
