import { createHash } from 'node:crypto';

import { DEFAULTS, parsePrometheusDuration } from '@promfleet/api';
import { parseDocument } from 'yaml';

import { PROVIDERS, type FieldMap, type FieldType } from './objstore-providers.ts';

/** Object storage types the operator accepts (compared case-insensitively, as Thanos does). */
export const OBJSTORE_TYPES = Object.keys(PROVIDERS);

export type ObjstoreProblemReason = 'SecretNotFound' | 'SecretKeyMissing' | 'ObjstoreInvalid';

export type ObjstoreCheck =
  | { readonly ok: true; readonly type: string; readonly hash: string }
  | { readonly ok: false; readonly reason: Exclude<ObjstoreProblemReason, 'SecretNotFound'>; readonly message: string };

const FIELDS = new Set(['type', 'config', 'prefix']);

/**
 * Checks a Thanos objstore.yml as objstore would: YAML, a supported `type`, a `config` with only
 * that provider's fields, each of the right type, and what the provider requires; nothing else
 * but an optional `prefix`. The result holds a hash of the content and never the content, and
 * no message repeats a value: the operator keeps no Secret data.
 */
export function checkObjstore(text: string | undefined, secretName: string): ObjstoreCheck {
  const key = DEFAULTS.bucketSecretKey;
  if (text === undefined) return { ok: false, reason: 'SecretKeyMissing', message: `Secret ${secretName} has no key ${key}` };
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) return { ok: false, reason: 'ObjstoreInvalid', message: `Secret ${secretName} key ${key} is not YAML` };
  const invalid = (problems: readonly string[]): ObjstoreCheck => ({
    ok: false,
    reason: 'ObjstoreInvalid',
    message: `Secret ${secretName} key ${key}: ${problems.join('; ')}`,
  });
  const root: unknown = document.toJS();
  if (!isRecord(root)) return invalid(['must be a mapping with type and config']);
  const unknown = Object.keys(root).filter((field) => !FIELDS.has(field));
  if (unknown.length > 0) return invalid([`unknown field ${unknown.map((f) => JSON.stringify(f)).join(', ')} (allowed: type, config, prefix)`]);
  const type = root.type;
  if (typeof type !== 'string' || type === '') return invalid([`type is required (one of ${OBJSTORE_TYPES.join(', ')})`]);
  const upper = type.toUpperCase();
  if (upper === 'FILESYSTEM')
    return invalid(['type FILESYSTEM cannot work here: the sidecar, Store and Compactor run in separate pods and would each see their own directory']);
  const provider = PROVIDERS[upper];
  if (!provider) return invalid([`type ${JSON.stringify(type)} is not one of ${OBJSTORE_TYPES.join(', ')}`]);
  const config = root.config;
  if (!isRecord(config)) return invalid(['config must be a mapping']);
  if (root.prefix !== undefined && typeof root.prefix !== 'string') return invalid(['prefix must be a string']);
  const problems = fieldProblems(config, provider.fields, 'config');
  if (problems.length > 0) return invalid(problems);
  const missing = provider.check(config);
  if (missing.length > 0) return invalid(missing.map((problem) => `${problem} for type ${upper}`));
  return { ok: true, type: upper, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

/** Unknown keys and wrongly typed values, by path; values themselves never appear. */
function fieldProblems(value: Record<string, unknown>, fields: FieldMap, path: string): string[] {
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const type = fields[key];
    if (type === undefined) {
      problems.push(`unknown field ${at} (known: ${Object.keys(fields).join(', ')})`);
      continue;
    }
    if (child === null || child === undefined) continue;
    if (typeof type === 'object') {
      if (isRecord(child)) problems.push(...fieldProblems(child, type, at));
      else problems.push(`${at} must be a mapping`);
      continue;
    }
    const problem = typeProblem(type, child);
    if (problem) problems.push(`${at} must be ${problem}`);
  }
  return problems;
}

function typeProblem(type: Exclude<FieldType, object>, value: unknown): string | undefined {
  switch (type) {
    case 'string':
      return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : 'a string';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'int':
      return Number.isInteger(value) ? undefined : 'a whole number';
    case 'duration':
      return typeof value === 'string' && parsePrometheusDuration(value) !== undefined ? undefined : 'a duration such as 90s or 5m';
    case 'stringMap':
      return isRecord(value) && Object.values(value).every((v) => typeof v === 'string') ? undefined : 'a mapping of strings';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
