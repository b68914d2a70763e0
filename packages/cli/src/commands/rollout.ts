import { setTimeout as sleep } from 'node:timers/promises';

import { PrometheusClusters, type PrometheusCluster } from '@promfleet/api';
import { ResourceClient } from '@promfleet/kube/client';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { EXIT, UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { printableRollout, rolloutLine } from '../read-models/status.ts';
import { HUB_FLAGS, KUBECTL_HUB_ALIASES, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

const ACTIONS = ['status', 'pause', 'resume'] as const;
type Action = (typeof ACTIONS)[number];

export interface RolloutInvocation {
  readonly action: Action;
  readonly hub: ClusterSource;
  readonly namespace: string;
  readonly name: string;
  readonly watch: boolean;
  readonly intervalMs: number;
  readonly requestTimeoutMs: number;
}

/** One line for a PrometheusCluster's rollout, as the hub last reported it. */
export function describeRollout(cluster: PrometheusCluster): string {
  const key = `${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`;
  const rollout = cluster.status?.rollout;
  if (!rollout) return `${key}: no rollout reported yet (the hub has not reconciled it)\n`;
  const behind = cluster.status?.observedGeneration !== cluster.metadata.generation ? ' [the hub has not seen the latest spec yet]' : '';
  return `${key}: ${rolloutLine(printableRollout(rollout))}${behind}\n`;
}

export const rolloutCommand = defineCommand({
  name: 'rollout',
  usage: 'rollout status|pause|resume NAMESPACE/NAME [flags]',
  description: `status prints where the rollout of a PrometheusCluster stands, as the hub reports it in
status.rollout: its state (Progressing, Paused, Halted, Complete), the target revision, the wave
being rolled out and a message. With --watch it prints a line whenever that changes and exits 0
once the rollout is Complete, 1 if it is Halted (a member missed spec.rollout.progressDeadline).
pause sets spec.rollout.paused: no member moves to another revision until resume clears it
(new members still get the newest revision). See docs/rollout.md.`,
  examples: [
    'promfleet rollout status platform/cloud-clusters',
    'promfleet rollout status platform/cloud-clusters --watch',
    'promfleet rollout pause platform/cloud-clusters',
    'promfleet rollout resume platform/cloud-clusters',
  ],
  flags: {
    ...HUB_FLAGS,
    watch: { type: 'boolean', description: 'status: keep printing until the rollout is Complete (exit 0) or Halted (exit 1).' },
    'watch-interval': { type: 'duration', default: '2s', description: 'status --watch: how often to read the PrometheusCluster.' },
    ...REQUEST_TIMEOUT_FLAG,
  },
  shorthands: { w: 'watch' },
  aliases: KUBECTL_HUB_ALIASES,
  parse(flags, positional): RolloutInvocation {
    const [action = '', reference = ''] = expectArguments('rollout', positional, ['ACTION', 'NAMESPACE/NAME']);
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`rollout: ${JSON.stringify(action)} is not an action (status, pause or resume)`);
    const [namespace = '', name = '', ...rest] = reference.split('/');
    if (!namespace || !name || rest.length > 0) throw new UsageError(`rollout: ${JSON.stringify(reference)} is not NAMESPACE/NAME`);
    if (flags.watch && action !== 'status') throw new UsageError('rollout: --watch is for rollout status');
    return {
      action: action as Action,
      hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] },
      namespace,
      name,
      watch: flags.watch,
      intervalMs: flags['watch-interval'],
      requestTimeoutMs: flags['request-timeout'],
    };
  },
  execute: async (invocation: RolloutInvocation, io: CliIO) => {
    const hub = clientFor(loadSource(invocation.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
    const clusters = new ResourceClient(hub, PrometheusClusters);
    const { namespace, name } = invocation;
    const read = async (): Promise<PrometheusCluster> => {
      const found = await clusters.get(name, namespace);
      if (!found) throw new Error(`PrometheusCluster ${namespace}/${name} not found in the hub`);
      return found;
    };
    return withClients([hub], async () => {
      if (invocation.action !== 'status') {
        await read();
        const paused = invocation.action === 'pause';
        await clusters.patch(name, namespace, { spec: { rollout: { paused } } }, { type: 'merge' });
        io.out(`${namespace}/${name}: rollout ${paused ? 'paused: no member moves to another revision until resumed' : 'resumed'}\n`);
        return EXIT.ok;
      }
      let last = '';
      for (;;) {
        const cluster = await read();
        const line = describeRollout(cluster);
        if (line !== last) io.out(line);
        last = line;
        const current = cluster.status?.observedGeneration === cluster.metadata.generation;
        const state = cluster.status?.rollout?.state;
        if (!invocation.watch) return EXIT.ok;
        if (current && state === 'Complete') return EXIT.ok;
        if (current && state === 'Halted') return EXIT.failure;
        await sleep(invocation.intervalMs);
      }
    });
  },
});
