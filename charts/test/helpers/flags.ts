import { envName, parseFlags, type FlagSpec } from '@promfleet/kube/flags';

import type { Container } from './objects.ts';

/** The flags a container sets, through its args or `PROMFLEET_*` environment variables. */
export function flagsSetBy(specs: Record<string, FlagSpec>, container: Container): Set<string> {
  const args = container.args ?? [];
  const env = new Set((container.env ?? []).map((variable) => variable.name));
  return new Set(Object.keys(specs).filter((flag) => args.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)) || env.has(envName(flag))));
}

/**
 * The container's flags as the binary parses them, with the real parser: throws on an unknown
 * flag or a malformed value. Variables from Secrets count as set, to a placeholder.
 */
export function parseContainerFlags<Specs extends Record<string, FlagSpec>>(specs: Specs, container: Container) {
  const env = Object.fromEntries(
    (container.env ?? []).filter((v) => v.name.startsWith('PROMFLEET_')).map((v) => [v.name, v.value ?? 'redis://from-a-secret:6379']),
  );
  const { flags, positional } = parseFlags(specs, container.args ?? [], env);
  if (positional.length > 0) throw new Error(`unexpected positional arguments ${positional.join(' ')}`);
  return flags;
}
