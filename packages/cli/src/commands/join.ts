import { readFile } from 'node:fs/promises';

import { CREDENTIAL_LIFECYCLE, DEFAULTS, memberUserName } from '@promfleet/api';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, clusterCA, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { join, type JoinResult } from '../join/join.ts';
import { joinInputProblems } from '../join/options.ts';
import { formatStep } from '../progress.ts';
import { AMBIGUOUS_KUBECTL_FLAGS, HUB_FLAGS, MEMBER_FLAGS, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export interface JoinInvocation {
  readonly name: string;
  readonly member: ClusterSource;
  readonly hub: ClusterSource;
  readonly namespace: string;
  readonly hubNamespace: string;
  /** Undefined when no --label was given: a re-run keeps the MemberCluster's labels. */
  readonly labels: Record<string, string> | undefined;
  readonly tokenTTLSeconds: number;
  readonly server: string | undefined;
  readonly memberCAFile: string | undefined;
  readonly rotate: boolean;
  readonly acceptIncompleteRules: boolean;
  readonly requestTimeoutMs: number;
}

/** `region=eu-west-1` → `['region', 'eu-west-1']`; an empty value is allowed, as in Kubernetes. */
export function parseLabels(specs: readonly string[]): Record<string, string> | undefined {
  if (specs.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label ${JSON.stringify(spec)}: expected KEY=VALUE`);
    labels[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return labels;
}

export const joinCommand = defineCommand({
  name: 'join',
  usage: 'join NAME (--member-kubeconfig FILE | --member-context NAME) [flags]',
  description: `Creates, in the member: the namespace (if missing), the ServiceAccount, Role and RoleBinding
promfleet-hub that allow managing PrometheusReplicas in that namespace and nothing else, and a
token for the ServiceAccount, bound to a Secret of its own (promfleet-hub-binding-*). Then it
proves with that token that the credential can create PrometheusReplicas there and can neither
read Secrets nor reach another namespace, and only then stores it in the hub: the Secret
member-NAME and the MemberCluster NAME with the labels.

It refuses, before writing anything, to take over a ServiceAccount, Role or RoleBinding
promfleet-hub that promfleet join did not make for this member, and names its owner (e.g. a
Helm release: on a hub that is also a member, the hub's own).

Re-running join changes only what differs. It keeps the token the hub has while it works and
does not expire within 30 days; --rotate issues a new one. Whenever join issues a token, it
revokes every token it issued before for this member — the hub's previous one, one a lost hub
or a leak still holds — by deleting the Secrets they are bound to once the hub has the new
token, and waits until the member rejects the one it replaced. A ServiceAccount made by a join
before tokens were bound is re-created first, which revokes its unbound tokens. Labels given
replace the MemberCluster's labels; without --label a re-run keeps them.

Progress goes to stderr, one line per step. No token is ever printed.`,
  examples: [
    'promfleet join eu-west --member-context eu-west-admin --label region=eu-west-1 --label platform=cloud',
    'promfleet join eu-west --member-kubeconfig eu-west.kubeconfig --hub-context hub --server https://eu-west.k8s.example.com',
    'promfleet join eu-west --member-context eu-west-admin --rotate',
    'kubectl promfleet join eu-west --member-context eu-west-admin',
  ],
  flags: {
    ...MEMBER_FLAGS,
    ...HUB_FLAGS,
    namespace: { type: 'string', value: 'NAME', default: DEFAULTS.memberNamespace, description: 'Member namespace where the hub manages PrometheusReplicas.' },
    'hub-namespace': { type: 'string', value: 'NAME', default: DEFAULTS.hubNamespace, description: 'Hub namespace of the credential Secret.' },
    label: { type: 'list', value: 'KEY=VALUE', description: "The MemberCluster's labels, which PrometheusCluster selectors match; repeatable." },
    'token-ttl': {
      type: 'duration',
      default: `${String(CREDENTIAL_LIFECYCLE.tokenTTLDays * 24)}h`,
      description: 'Lifetime of a newly issued token (at least 10m; the member may cap it).',
    },
    server: { type: 'string', value: 'URL', description: "Member API server URL the hub should use (absent: the member kubeconfig's)." },
    'member-ca': { type: 'string', value: 'FILE', description: "PEM CA of --server (absent: the member kubeconfig's certificate-authority)." },
    rotate: { type: 'boolean', description: 'Issue a new token even if the stored one is still good, and revoke every earlier one.' },
    'accept-incomplete-rules': {
      type: 'boolean',
      description:
        "Register even when the member's authorizer cannot list every rule of the credential (e.g. a webhook authorizer), relying on join's probes alone.",
    },
    ...REQUEST_TIMEOUT_FLAG,
  },
  refused: AMBIGUOUS_KUBECTL_FLAGS,
  parse(flags, positional): JoinInvocation {
    const [name = ''] = expectArguments('join', positional, ['NAME']);
    if (flags['member-kubeconfig'] === undefined && flags['member-context'] === undefined) {
      throw new UsageError('join: give the member cluster with --member-kubeconfig or --member-context (see promfleet join --help)');
    }
    const invocation: JoinInvocation = {
      name,
      member: { kubeconfig: flags['member-kubeconfig'], context: flags['member-context'] },
      hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] },
      namespace: flags.namespace,
      hubNamespace: flags['hub-namespace'],
      labels: parseLabels(flags.label),
      tokenTTLSeconds: Math.floor(flags['token-ttl'] / 1000),
      server: flags.server,
      memberCAFile: flags['member-ca'],
      rotate: flags.rotate,
      acceptIncompleteRules: flags['accept-incomplete-rules'],
      requestTimeoutMs: flags['request-timeout'],
    };
    const problems = joinInputProblems(invocation);
    if (problems.length > 0) throw new UsageError(`join: ${problems.join('; ')}`);
    if (invocation.server !== undefined && !/^https:\/\/\S+$/.test(invocation.server)) throw new UsageError(`join: --server must be an https:// URL`);
    return invocation;
  },
  execute: executeJoin,
});

async function executeJoin(invocation: JoinInvocation, io: CliIO): Promise<number> {
  const memberConfig = loadSource(invocation.member, 'member');
  const hubConfig = loadSource(invocation.hub, 'hub');
  const memberCA = invocation.memberCAFile === undefined ? clusterCA(memberConfig) : await readFile(invocation.memberCAFile, 'utf8');
  if (memberCA === undefined)
    throw new Error("the member kubeconfig's cluster has no certificate-authority-data or certificate-authority: give the CA with --member-ca FILE");
  const member = clientFor(memberConfig, invocation.name, invocation.requestTimeoutMs);
  const hub = clientFor(hubConfig, 'hub', invocation.requestTimeoutMs);
  const result = await withClients([member, hub], () =>
    join({
      name: invocation.name,
      member,
      hub,
      memberCA,
      namespace: invocation.namespace,
      hubNamespace: invocation.hubNamespace,
      labels: invocation.labels,
      tokenTTLSeconds: invocation.tokenTTLSeconds,
      server: invocation.server,
      rotate: invocation.rotate,
      acceptIncompleteRules: invocation.acceptIncompleteRules,
      onProgress: (step) => {
        io.err(`${formatStep(step, invocation.name)}\n`);
      },
    }),
  );
  io.err(`${summarizeJoin(result)}\n`);
  return 0;
}

export function summarizeJoin(result: JoinResult): string {
  const expires = result.tokenExpiresAt ? `token expires ${result.tokenExpiresAt.toISOString()}` : 'token does not expire';
  const scope = `the hub manages PrometheusReplicas in ${result.name}/${result.namespace} as ${memberUserName(result.name)}, and nothing else`;
  if (!result.changed) return `${result.name} is joined, nothing changed: ${scope} (${expires})`;
  const count = (outcome: string) => result.steps.filter((step) => step.outcome === outcome).length;
  const revoked = result.revokedTokens > 0 ? `, ${String(result.revokedTokens)} earlier token${result.revokedTokens > 1 ? 's' : ''} revoked` : '';
  return `joined ${result.name} (${String(count('created'))} created, ${String(count('updated'))} updated, ${String(count('unchanged') + count('exists'))} unchanged, token ${result.token}${revoked}): ${scope} (${expires})`;
}
