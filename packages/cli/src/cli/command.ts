import { formatFlagHelp, parseFlags, type FlagSpec, type ParsedFlags } from '@promfleet/kube/flags';

import { EXIT_CODES_HELP, UsageError } from './exit-codes.ts';
import type { CliIO } from './io.ts';

export interface CommandSpec<Flags extends Record<string, FlagSpec>, Invocation> {
  readonly name: string;
  /** `join NAME [flags]`. */
  readonly usage: string;
  readonly description: string;
  readonly examples: readonly string[];
  readonly flags: Flags;
  /** Single-letter flags, kubectl style: `{ o: 'output' }` makes `-o json`, `-o=json` and `-ojson` mean `--output=json`. */
  readonly shorthands?: Readonly<Record<string, keyof Flags & string>>;
  /** Other long names of flags: `{ kubeconfig: 'hub-kubeconfig' }` makes `--kubeconfig=x` mean `--hub-kubeconfig=x`. */
  readonly aliases?: Readonly<Record<string, keyof Flags & string>>;
  /** Long flags refused with a usage error that says what to give instead, e.g. an ambiguous kubectl flag. */
  readonly refused?: Readonly<Record<string, string>>;
  /** Turns flags and arguments into what `execute` needs; throws UsageError. Pure. */
  readonly parse: (flags: ParsedFlags<Flags>, positional: readonly string[]) => Invocation;
  readonly execute: (invocation: Invocation, io: CliIO) => Promise<number>;
}

export type ParsedArgs<Invocation> = { readonly help: true } | { readonly help: false; readonly invocation: Invocation };

export interface Command {
  readonly name: string;

  /** Every long flag it accepts, as --help lists them. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Other long spellings it accepts (aliases) or refuses with a message (e.g. kubectl's ambiguous --context). */
  readonly otherSpellings: readonly string[];
  /**
   * The flags of a command line, parsed and checked (unknown, refused or malformed flags throw a
   * UsageError) without the command's checks of its arguments: what the docs test runs every
   * documented command line through.
   */
  readFlags(argv: readonly string[]): Readonly<Record<string, unknown>>;
  help(): string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

export interface DefinedCommand<Invocation> extends Command {
  parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs<Invocation>;
}

/** `-o json` → `--output=json`; any other single-dash flag but -h is unknown. */
export function expandShorthands(argv: readonly string[], shorthands: Readonly<Record<string, string>>): string[] {
  const expanded: string[] = [];
  for (const [index, arg] of argv.entries()) {
    if (arg === '--') return [...expanded, ...argv.slice(index)];
    if (!/^-[^-]/.test(arg) || arg === '-h') {
      expanded.push(arg);
      continue;
    }
    const long = shorthands[arg.charAt(1)];
    if (long === undefined) throw new UsageError(`unknown flag ${arg.slice(0, 2)} (see --help)`);
    const rest = arg.slice(2);
    expanded.push(rest === '' ? `--${long}` : `--${long}=${rest.replace(/^=/, '')}`);
  }
  return expanded;
}

/**
 * `--kubeconfig=x` → `--hub-kubeconfig=x` for an alias; a refused flag is a UsageError with its
 * message. Like kubectl, which passes its own `--kubeconfig` and `--context` on to plugins.
 */
export function expandAliases(
  command: string,
  argv: readonly string[],
  aliases: Readonly<Record<string, string>>,
  refused: Readonly<Record<string, string>> = {},
): string[] {
  const expanded: string[] = [];
  for (const [index, arg] of argv.entries()) {
    if (arg === '--') return [...expanded, ...argv.slice(index)];
    const name = /^--([^=]+)/.exec(arg)?.[1];
    const message = name === undefined ? undefined : refused[name];
    if (message !== undefined) throw new UsageError(`${command}: --${name ?? ''} ${message}`);
    const target = name === undefined ? undefined : aliases[name];
    expanded.push(target === undefined ? arg : `--${target}${arg.slice(2 + (name ?? '').length)}`);
  }
  return expanded;
}

export function defineCommand<Flags extends Record<string, FlagSpec>, Invocation>(spec: CommandSpec<Flags, Invocation>): DefinedCommand<Invocation> {
  const shorthands: Readonly<Record<string, string>> = spec.shorthands ?? {};
  const aliases: Readonly<Record<string, string>> = spec.aliases ?? {};
  const readFlags = (argv: readonly string[], env: NodeJS.ProcessEnv) =>
    parseFlags(spec.flags, expandAliases(spec.name, expandShorthands(argv, shorthands), aliases, spec.refused), env);
  const parseArgs = (argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs<Invocation> => {
    const { flags, positional, help } = readFlags(argv, env);
    if (help) return { help: true };
    return { help: false, invocation: spec.parse(flags, positional) };
  };
  const help = (): string => {
    const short = [
      ...Object.entries(shorthands).map(([letter, long]) => `  -${letter} is short for --${long}`),
      ...Object.entries(aliases).map(([alias, long]) => `  --${alias} is the same as --${long}`),
      ...Object.entries(spec.refused ?? {}).map(([name, message]) => `  --${name} ${message}`),
    ];
    const flagLines = Object.keys(spec.flags).length > 0 ? [formatFlagHelp(spec.flags)] : [];
    // Aligns -h with the descriptions formatFlagHelp lines up.
    const column = flagLines[0]?.split('\n')[0]?.indexOf(Object.values(spec.flags)[0]?.description ?? '\0') ?? -1;
    return [
      `Usage: promfleet ${spec.usage}`,
      '',
      spec.description,
      '',
      'Examples:',
      ...spec.examples.map((example) => `  ${example}`),
      '',
      'Flags:',
      ...flagLines,
      `${'  -h, --help'.padEnd(Math.max(column, 14))}Show this help.`,
      ...short,
      '',
      EXIT_CODES_HELP,
      '',
    ].join('\n');
  };
  return {
    name: spec.name,
    flags: spec.flags,
    otherSpellings: [...Object.keys(aliases), ...Object.keys(spec.refused ?? {})],
    readFlags: (argv) => readFlags(argv, {}).flags,
    help,
    parseArgs,
    async run(argv, io) {
      const parsed = parseArgs(argv, io.env);
      if (parsed.help) {
        io.out(help());
        return 0;
      }
      return spec.execute(parsed.invocation, io);
    },
  };
}

/** Positional arguments, exactly as many as named: `['NAME']` for `join NAME`. */
export function expectArguments(command: string, positional: readonly string[], names: readonly string[], optional = 0): string[] {
  const required = names.length - optional;
  if (positional.length < required)
    throw new UsageError(`${command}: missing ${names.slice(positional.length, required).join(' ')} (see promfleet ${command} --help)`);
  if (positional.length > names.length)
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positional[names.length])} (see promfleet ${command} --help)`);
  return [...positional];
}
