import { parsePrometheusDuration } from '@promfleet/api';

/** Small helpers shared by the config and rule checks: each returns problems prefixed with the path. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** YAML's `key:` with nothing after it: Prometheus treats it as absent. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: string): string[] {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  return unknown.map((key) => `${path}${path ? '.' : ''}${key}: unknown field (a typo? Prometheus refuses fields it does not know)`);
}

/** Milliseconds of a duration field, undefined when absent; a problem when it is not a Prometheus duration. */
export function duration(value: unknown, path: string, problems: string[]): number | undefined {
  if (isAbsent(value)) return undefined;
  const ms = typeof value === 'string' ? parsePrometheusDuration(value) : undefined;
  if (ms === undefined) problems.push(`${path}: ${JSON.stringify(value)} is not a Prometheus duration (e.g. 30s, 1m)`);
  return ms;
}

export function list(value: unknown, path: string, problems: string[]): unknown[] {
  if (isAbsent(value)) return [];
  if (Array.isArray(value)) return value;
  problems.push(`${path}: must be a list`);
  return [];
}

export function mapping(value: unknown, path: string, problems: string[]): Record<string, unknown> | undefined {
  if (isAbsent(value)) return undefined;
  if (isRecord(value)) return value;
  problems.push(`${path}: must be a mapping`);
  return undefined;
}

export function stringMap(value: unknown, path: string, problems: string[]): Record<string, string> {
  const map = mapping(value, path, problems) ?? {};
  for (const [key, item] of Object.entries(map)) {
    if (typeof item !== 'string') problems.push(`${path}.${key}: must be a string`);
  }
  return map as Record<string, string>;
}

/** Go's yaml reads any scalar into a string field. */
export function scalarString(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
