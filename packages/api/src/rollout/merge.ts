import { z } from 'zod';

import { replicaTemplateFields } from '../schemas/replica-template.ts';
import type { Override } from '../schemas/rollout.ts';
import { matchesLabelSelector } from '../schemas/selector.ts';
import { formatPath, validateWith, type FieldError } from '../validate.ts';
import { resolveMemberPlaceholdersDeep, type MemberIdentity } from './placeholders.ts';

/** The replica template on its own: what a member's merged spec is checked against. */
export const replicaTemplate = z.strictObject(replicaTemplateFields);
export type ReplicaTemplate = z.output<typeof replicaTemplate>;

const TEMPLATE_FIELDS = Object.keys(replicaTemplateFields) as (keyof ReplicaTemplate)[];

/** What a member runs: the base template, the overrides that select it, placeholders resolved. */
export type MemberTemplate =
  | { readonly ok: true; readonly template: ReplicaTemplate; readonly overrides: readonly string[] }
  | { readonly ok: false; readonly error: FieldError; readonly overrides: readonly string[] };

/** The fields of a PrometheusCluster spec a member's template is made of. */
export interface TemplateSource extends Partial<ReplicaTemplate> {
  readonly overrides?: readonly Override[] | undefined;
}

export function overrideName(override: Pick<Override, 'name'>, index: number): string {
  return override.name ?? `overrides[${String(index)}]`;
}

/** The template fields of a spec (a PrometheusCluster's carries others: selector, dns, rollout). */
export function templateFields(spec: Partial<ReplicaTemplate>): Partial<ReplicaTemplate> {
  return Object.fromEntries(TEMPLATE_FIELDS.filter((field) => spec[field] !== undefined).map((field) => [field, spec[field]]));
}

/**
 * One member's template: the base fields, then every override whose selector matches the
 * member's labels, in order (later wins; objects merge by key, lists and scalars replace), then
 * member placeholders resolved, then the same schema as any replica template. An error names the
 * field where the user wrote the value: `spec.overrides[1].template.metrics.retention` when that
 * override set it last, `spec.metrics.retention` otherwise.
 */
export function memberTemplate(spec: TemplateSource, member: MemberIdentity): MemberTemplate {
  const matching = (spec.overrides ?? [])
    .map((override, index) => ({ override, index }))
    .filter(({ override }) => matchesLabelSelector(override.clusterSelector, member.labels));
  const overrides = matching.map(({ override, index }) => overrideName(override, index));
  const merged = matching.reduce<Record<string, unknown>>(
    (base, { override }) => mergeValues(base, override.template) as Record<string, unknown>,
    templateFields(spec),
  );
  const locate = (path: readonly PropertyKey[]): readonly PropertyKey[] => {
    const last = matching.findLast(({ override }) => setsPath(override.template, path));
    return last ? ['spec', 'overrides', last.index, 'template', ...path] : ['spec', ...path];
  };
  const resolved = resolveMemberPlaceholdersDeep(merged, member);
  if (!resolved.ok) return { ok: false, overrides, error: { path: formatPath(locate(resolved.path)), message: resolved.message } };
  const checked = validateWith(replicaTemplate, resolved.value, locate);
  if (!checked.ok) {
    const first = checked.errors[0] ?? { path: 'spec', message: 'invalid' };
    // A rule over several fields may fail on a base field because an override changed another.
    const merged = first.path.startsWith('spec.overrides[') || overrides.length === 0 ? '' : ` (merged with overrides: ${overrides.join(', ')})`;
    const more = checked.errors.length > 1 ? ` (and ${String(checked.errors.length - 1)} more)` : '';
    return { ok: false, overrides, error: { path: first.path, message: `${first.message}${merged}${more}` } };
  }
  return { ok: true, overrides, template: checked.value };
}

/** `over` on top of `base`: plain objects merge by key, anything else (lists included) replaces. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** Whether `value` states something at `path` or at a prefix of it (a list or scalar replacing what is under it). */
function setsPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let node = value;
  for (const segment of path) {
    if (!isPlainObject(node)) return node !== undefined;
    if (typeof segment !== 'string' || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return node !== undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
