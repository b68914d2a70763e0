import type { FlagSpec } from '@promfleet/kube/flags';

import { UsageError } from '../cli/exit-codes.ts';
import { isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../output/format.ts';

/** The hub cluster, for every command that reads or writes it. */
export const HUB_FLAGS = {
  'hub-kubeconfig': { type: 'string', value: 'FILE', description: 'Kubeconfig of the hub cluster (absent: KUBECONFIG, then ~/.kube/config).' },
  'hub-context': { type: 'string', value: 'NAME', description: 'Context in the hub kubeconfig (absent: its current context).' },
} as const satisfies Record<string, FlagSpec>;

/**
 * kubectl's own cluster flags, which kubectl passes on to a plugin (`kubectl promfleet members
 * --kubeconfig hub.yaml`): for a command that talks only to the hub, they name the hub.
 */
export const KUBECTL_HUB_ALIASES = { kubeconfig: 'hub-kubeconfig', context: 'hub-context' } as const;

/** For join and unjoin, which talk to two clusters, kubectl's flags would not say which one. */
export const AMBIGUOUS_KUBECTL_FLAGS = {
  kubeconfig: "is ambiguous with two clusters: give the member cluster's kubeconfig with --member-kubeconfig and the hub's with --hub-kubeconfig",
  context: "is ambiguous with two clusters: give the member cluster's context with --member-context and the hub's with --hub-context",
} as const;

/** The member cluster, with an admin identity, for join and unjoin. */
export const MEMBER_FLAGS = {
  'member-kubeconfig': { type: 'string', value: 'FILE', description: 'Kubeconfig of the member cluster, with rights to create RBAC objects there.' },
  'member-context': { type: 'string', value: 'NAME', description: 'Context of the member cluster (in --member-kubeconfig, else in the default kubeconfig).' },
} as const satisfies Record<string, FlagSpec>;

export const REQUEST_TIMEOUT_FLAG = {
  'request-timeout': { type: 'duration', default: '30s', description: 'How long to wait for each API request.' },
} as const satisfies Record<string, FlagSpec>;

export const OUTPUT_FLAG = {
  output: { type: 'string', value: 'FORMAT', default: 'table', description: `Output format: ${OUTPUT_FORMATS.join(', ')}.` },
} as const satisfies Record<string, FlagSpec>;

export function outputFormat(value: string): OutputFormat {
  if (!isOutputFormat(value)) throw new UsageError(`invalid output format ${JSON.stringify(value)} for -o (${OUTPUT_FORMATS.join(', ')})`);
  return value;
}
