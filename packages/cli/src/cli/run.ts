import { releaseVersion } from '@promfleet/kube/version';

import type { Command } from './command.ts';
import { EXIT, EXIT_CODES_HELP, errorLine, exitCodeFor, UsageError } from './exit-codes.ts';
import type { CliIO } from './io.ts';

/**
 * A command as the top level knows it: a name and a one-line summary. Its module — flags, help
 * and what it runs, with the clients, schemas and YAML that takes — is loaded only to run it, so
 * `promfleet --help` and each command pay for nothing the others use.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'join',
    summary: 'Register a member cluster with the hub through a credential scoped to one namespace',
    load: async () => (await import('../commands/join.ts')).joinCommand,
  },
  {
    name: 'unjoin',
    summary: 'Remove a member: its hub-managed replicas, its credential, its registration in the hub',
    load: async () => (await import('../commands/unjoin.ts')).unjoinCommand,
  },
  {
    name: 'members',
    summary: 'List member clusters with their readiness and the state of their credential',
    load: async () => (await import('../commands/members.ts')).membersCommand,
  },
  {
    name: 'status',
    summary: 'Show PrometheusClusters: phase, members and DNS records',
    load: async () => (await import('../commands/status.ts')).statusCommand,
  },
  {
    name: 'rollout',
    summary: 'Show, pause or resume the rollout of a PrometheusCluster',
    load: async () => (await import('../commands/rollout.ts')).rolloutCommand,
  },
  {
    name: 'endpoints',
    summary: 'Print the round-robin DNS records as BIND zone lines or JSON',
    load: async () => (await import('../commands/endpoints.ts')).endpointsCommand,
  },
  {
    name: 'validate',
    summary: 'Check promfleet objects in files and folders against the schemas the controllers use',
    load: async () => (await import('../commands/validate.ts')).validateCommand,
  },
  {
    name: 'crds',
    summary: 'Print the promfleet CustomResourceDefinitions as one multi-document YAML',
    load: async () => (await import('../commands/crds.ts')).crdsCommand,
  },
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  return [
    'promfleet: join member clusters to a promfleet hub with a least-privilege credential, and inspect the fleet.',
    'Also runs as the kubectl plugin `kubectl promfleet`.',
    '',
    'Usage: promfleet COMMAND [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    `  ${'version'.padEnd(width)}Print the version`,
    '',
    'Examples:',
    '  promfleet join eu-west --member-context eu-west-admin --label region=eu-west-1',
    '  promfleet members',
    '  promfleet status platform/cloud-clusters',
    '  promfleet rollout status platform/cloud-clusters --watch',
    '  promfleet endpoints --format zone',
    '  promfleet validate -f manifests/',
    '',
    'Every flag can also be set as PROMFLEET_<FLAG> (e.g. PROMFLEET_HUB_CONTEXT=hub); the command line wins.',
    "Run `promfleet COMMAND --help` for a command's flags.",
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

/** Runs one command line and returns its exit code; every failure becomes one `promfleet: …` line on stderr. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.err(topLevelHelp());
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h') {
      io.out(topLevelHelp());
      return EXIT.ok;
    }
    if (name === 'help') return await run(rest.length > 0 ? [...rest, '--help'] : ['--help'], io);
    if (name === 'version' || name === '--version') {
      io.out(`promfleet ${releaseVersion()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (see promfleet --help)`);
    return await (await command.load()).run(rest, io);
  } catch (error) {
    io.err(errorLine(error));
    return exitCodeFor(error);
  }
}
