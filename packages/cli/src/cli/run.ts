import { releaseVersion } from '@promfleet/kube';

import type { Command } from './command.ts';
import { crdsCommand } from '../commands/crds.ts';
import { endpointsCommand } from '../commands/endpoints.ts';
import { joinCommand } from '../commands/join.ts';
import { membersCommand } from '../commands/members.ts';
import { rolloutCommand } from '../commands/rollout.ts';
import { statusCommand } from '../commands/status.ts';
import { unjoinCommand } from '../commands/unjoin.ts';
import { validateCommand } from '../commands/validate.ts';
import { EXIT, EXIT_CODES_HELP, errorLine, exitCodeFor, UsageError } from './exit-codes.ts';
import type { CliIO } from './io.ts';

export const COMMANDS: readonly Command[] = [joinCommand, unjoinCommand, membersCommand, statusCommand, rolloutCommand, endpointsCommand, validateCommand, crdsCommand];

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
    'Run `promfleet COMMAND --help` for a command\'s flags.',
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
    return await command.run(rest, io);
  } catch (error) {
    io.err(errorLine(error));
    return exitCodeFor(error);
  }
}
