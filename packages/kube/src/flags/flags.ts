/**
 * Command-line flags the Kubernetes way: `--name=value` or `--name value`, booleans as
 * `--flag` or `--flag=false`, durations as `10s`/`2m`/`1h30m`, every flag also settable as the
 * environment variable `PROMFLEET_<NAME>` (upper case, `-` → `_`). The command line wins.
 * Sizes are bytes or Kubernetes binary quantities (`512Ki`, `1Mi`, `2Gi`).
 */

export type FlagType = 'string' | 'boolean' | 'duration' | 'integer' | 'bytes' | 'list';

export interface FlagSpec {
  readonly type: FlagType;
  readonly description: string;
  readonly default?: string | boolean | number | readonly string[];
  /** Placeholder in --help, e.g. `URL`, `FILE`. */
  readonly value?: string;
}

type ValueOf<S extends { type: FlagType }> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'duration' | 'integer' | 'bytes'
    ? number
    : S['type'] extends 'list'
      ? string[]
      : string;

/** Flags without a default are undefined when not given, except booleans (false) and lists ([]). */
export type ParsedFlags<Specs extends Record<string, FlagSpec>> = {
  [K in keyof Specs]: Specs[K] extends { default: unknown }
    ? ValueOf<Specs[K]>
    : Specs[K]['type'] extends 'boolean' | 'list'
      ? ValueOf<Specs[K]>
      : ValueOf<Specs[K]> | undefined;
};

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

const DURATION = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go-style duration (`500ms`, `10s`, `1h30m`; a bare `0`, as Go's ParseDuration takes it), or undefined. */
export function parseDuration(text: string): number | undefined {
  // Flags document 0 as "off" (`--status-batch-window=0`): the one number that needs no unit.
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) total += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 0);
  return total;
}

const SIZE = /^(\d+)(Ki|Mi|Gi)?$/;
const SIZE_UNIT: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** Bytes of a size (`1048576`, `512Ki`, `1Mi`, `2Gi`), or undefined. */
export function parseBytes(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * (SIZE_UNIT[match[2] ?? ''] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${String(ms / 3_600_000)}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${String(ms / 60_000)}m`;
  if (ms % 1000 === 0) return `${String(ms / 1000)}s`;
  return `${String(ms)}ms`;
}

export function envName(flag: string): string {
  return `PROMFLEET_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function convert(name: string, spec: FlagSpec, raw: string, source: string): string | boolean | number {
  switch (spec.type) {
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new FlagError(`${source}: invalid boolean ${JSON.stringify(raw)} for --${name} (true or false)`);
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw new FlagError(`${source}: invalid duration ${JSON.stringify(raw)} for --${name} (e.g. 10s, 2m, 1h)`);
      return ms;
    }
    case 'bytes': {
      const bytes = parseBytes(raw);
      if (bytes === undefined) throw new FlagError(`${source}: invalid size ${JSON.stringify(raw)} for --${name} (bytes, or e.g. 512Ki, 1Mi, 2Gi)`);
      return bytes;
    }
    case 'integer':
      if (!/^-?\d+$/.test(raw)) throw new FlagError(`${source}: invalid integer ${JSON.stringify(raw)} for --${name}`);
      return Number(raw);
    case 'string':
    case 'list':
      return raw;
  }
}

function defaultValue(spec: FlagSpec): unknown {
  if (spec.default === undefined) return spec.type === 'list' ? [] : spec.type === 'boolean' ? false : undefined;
  if (spec.type === 'duration' && typeof spec.default === 'string') return parseDuration(spec.default);
  if (spec.type === 'bytes' && typeof spec.default === 'string') return parseBytes(spec.default);
  return Array.isArray(spec.default) ? [...(spec.default as string[])] : spec.default;
}

/** Parses flags; returns them with positional arguments, or throws FlagError naming the flag. */
export function parseFlags<Specs extends Record<string, FlagSpec>>(
  specs: Specs,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { flags: ParsedFlags<Specs>; positional: string[]; help: boolean } {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const fromEnv = env[envName(name)];
    if (fromEnv === undefined || fromEnv === '') values[name] = defaultValue(spec);
    else values[name] = spec.type === 'list' ? fromEnv.split(',').filter(Boolean) : convert(name, spec, fromEnv, envName(name));
  }
  const positional: string[] = [];
  const seenLists = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new FlagError(`unknown flag --${name} (see --help)`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.type === 'boolean') raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new FlagError(`flag --${name} needs a value`);
      raw = next;
      i++;
    }
    if (spec.type === 'list') {
      if (!seenLists.has(name)) values[name] = [];
      seenLists.add(name);
      (values[name] as string[]).push(raw);
    } else {
      values[name] = convert(name, spec, raw, `--${name}`);
    }
  }
  return { flags: values as ParsedFlags<Specs>, positional, help };
}

/** The flags section of --help: every flag, its env var, its default. */
export function formatFlagHelp(specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const placeholder = spec.type === 'boolean' ? '' : ` ${spec.value ?? spec.type.toUpperCase()}`;
    const shown = spec.default === undefined ? '' : Array.isArray(spec.default) ? (spec.default.length ? spec.default.join(',') : '') : String(spec.default);
    const suffix = [shown ? `default ${shown}` : '', `env ${envName(name)}`].filter(Boolean).join('; ');
    return { left: `  --${name}${placeholder}`, right: `${spec.description} (${suffix})` };
  });
  const width = Math.max(...rows.map((row) => row.left.length)) + 2;
  return rows.map((row) => row.left.padEnd(width) + row.right).join('\n');
}
