import type { LevelWithSilent } from 'pino';

import { createLogger, LOG_LEVELS, type Logger } from '../observability/logger.ts';
import { KitMetrics } from '../observability/metrics.ts';
import { FlagError, formatFlagHelp, parseFlags, type FlagSpec, type ParsedFlags } from '../flags/flags.ts';

export interface ProgramContext<Specs extends Record<string, FlagSpec>> {
  readonly flags: ParsedFlags<Specs>;
  /** The subcommand given, if the program has any. */
  readonly command: string | undefined;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
}

/**
 * The shell of a controller binary: flags (and their PROMFLEET_* variables), `--help`, one-line
 * usage errors with exit code 2, a JSON logger at `--log-level`, process metrics. `run`
 * resolves with the exit code.
 */
export async function runProgram<Specs extends Record<string, FlagSpec> & { 'log-level': FlagSpec }>(options: {
  readonly name: string;
  readonly flags: Specs;
  readonly usage: string;
  readonly commands?: readonly string[];
  readonly run: (context: ProgramContext<Specs>) => Promise<number>;
}): Promise<number> {
  const fail = (message: string): number => {
    console.error(`${options.name}: ${message}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseFlags(options.flags, process.argv.slice(2));
  } catch (error) {
    if (error instanceof FlagError) return fail(error.message);
    throw error;
  }
  if (parsed.help) {
    console.log(`${options.usage}\n${formatFlagHelp(options.flags)}`);
    return 0;
  }
  const [first, ...rest] = parsed.positional;
  const command = first !== undefined && options.commands?.includes(first) ? first : undefined;
  const extra = command === undefined ? parsed.positional : rest;
  if (extra.length > 0) return fail(`unexpected argument ${JSON.stringify(extra[0])} (see --help)`);
  const level = String(parsed.flags['log-level']);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) return fail(`invalid --log-level ${JSON.stringify(level)} (one of ${LOG_LEVELS.join(', ')})`);
  const logger = createLogger({ name: options.name, level: level as LevelWithSilent });
  return options.run({ flags: parsed.flags, command, logger, metrics: new KitMetrics().collectProcessMetrics() });
}
