import { createHash } from 'node:crypto';

import { DEFAULTS } from '@promfleet/api';
import { parseDocument } from 'yaml';

/** Object storage types Thanos understands (compared case-insensitively, as Thanos does). */
export const OBJSTORE_TYPES = ['S3', 'GCS', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'FILESYSTEM'] as const;

export type ObjstoreProblemReason = 'SecretNotFound' | 'SecretKeyMissing' | 'ObjstoreInvalid';

export type ObjstoreCheck =
  | { readonly ok: true; readonly type: string; readonly hash: string }
  | { readonly ok: false; readonly reason: Exclude<ObjstoreProblemReason, 'SecretNotFound'>; readonly message: string };

const FIELDS = new Set(['type', 'config', 'prefix']);

/**
 * Checks a Thanos objstore.yml: YAML, a known `type`, a `config` mapping, nothing else but an
 * optional `prefix`. The result holds a hash of the content and never the content: the
 * operator keeps no Secret data in memory.
 */
export function checkObjstore(text: string | undefined, secretName: string): ObjstoreCheck {
  const key = DEFAULTS.bucketSecretKey;
  if (text === undefined) return { ok: false, reason: 'SecretKeyMissing', message: `Secret ${secretName} has no key ${key}` };
  const document = parseDocument(text);
  if (document.errors.length > 0) return { ok: false, reason: 'ObjstoreInvalid', message: `Secret ${secretName} key ${key} is not YAML` };
  const config: unknown = document.toJS();
  const invalid = (problem: string): ObjstoreCheck => ({ ok: false, reason: 'ObjstoreInvalid', message: `Secret ${secretName} key ${key}: ${problem}` });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return invalid('must be a mapping with type and config');
  const root = config as Record<string, unknown>;
  const unknown = Object.keys(root).filter((field) => !FIELDS.has(field));
  if (unknown.length > 0) return invalid(`unknown field ${unknown.map((f) => JSON.stringify(f)).join(', ')} (allowed: type, config, prefix)`);
  const type = root.type;
  if (typeof type !== 'string' || type === '') return invalid(`type is required (one of ${OBJSTORE_TYPES.join(', ')})`);
  if (!(OBJSTORE_TYPES as readonly string[]).includes(type.toUpperCase())) return invalid(`type ${JSON.stringify(type)} is not one of ${OBJSTORE_TYPES.join(', ')}`);
  const body = root.config;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('config must be a mapping');
  if (root.prefix !== undefined && typeof root.prefix !== 'string') return invalid('prefix must be a string');
  return { ok: true, type: type.toUpperCase(), hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}
