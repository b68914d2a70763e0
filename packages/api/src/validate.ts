import type { z } from 'zod';

import { MEMBER_CLUSTER, PROMETHEUS_CLUSTER, PROMETHEUS_CLUSTER_SHARD, PROMETHEUS_REPLICA, type KindName } from './constants.ts';
import { memberCluster, type MemberCluster } from './schemas/member-cluster.ts';
import { prometheusCluster, type PrometheusCluster } from './schemas/prometheus-cluster.ts';
import { prometheusClusterShard, type PrometheusClusterShard } from './schemas/prometheus-cluster-shard.ts';
import { prometheusReplica, type PrometheusReplica } from './schemas/prometheus-replica.ts';

/** One problem with an object, located by the field path a user would write (`spec.metrics.retention`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

interface KindTypes {
  PrometheusReplica: PrometheusReplica;
  PrometheusCluster: PrometheusCluster;
  MemberCluster: MemberCluster;
  PrometheusClusterShard: PrometheusClusterShard;
}

export const schemasByKind = {
  [PROMETHEUS_REPLICA.kind]: prometheusReplica,
  [PROMETHEUS_CLUSTER.kind]: prometheusCluster,
  [MEMBER_CLUSTER.kind]: memberCluster,
  [PROMETHEUS_CLUSTER_SHARD.kind]: prometheusClusterShard,
} as const satisfies Record<KindName, z.ZodType>;

export function isKindName(kind: unknown): kind is KindName {
  return typeof kind === 'string' && Object.hasOwn(schemasByKind, kind);
}

/**
 * Checks an object against its kind's schema and returns it with defaults applied, or every
 * error with its path. The controllers, the CLI and the tests all call this one function, so a
 * rule the CRD schema cannot express (ratios, reserved keys, selector value rules on clusters
 * without CEL) is enforced identically everywhere.
 */
export function validate<K extends KindName>(kind: K, object: unknown): ValidationResult<KindTypes[K]> {
  const result = schemasByKind[kind].safeParse(object, { error: describeIssue });
  if (result.success) return { ok: true, value: result.data as KindTypes[K] };
  return { ok: false, errors: toFieldErrors(result.error.issues) };
}

export function formatFieldError(error: FieldError): string {
  return error.path === '' ? error.message : `${error.path}: ${error.message}`;
}

/** `spec.matchExpressions[0].values`, with map keys that are not identifiers quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${String(segment)}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/**
 * Checks a value against any schema with the messages `validate` gives, each error's path passed
 * through `locate` first (to say where in the user's object a part came from).
 */
export function validateWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  locate: (path: readonly PropertyKey[]) => readonly PropertyKey[] = (path) => path,
): ValidationResult<T> {
  const result = schema.safeParse(value, { error: describeIssue });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: toFieldErrors(result.error.issues, locate) };
}

function toFieldErrors(issues: readonly z.core.$ZodIssue[], locate: (path: readonly PropertyKey[]) => readonly PropertyKey[] = (path) => path): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: formatPath(locate([...issue.path, key])), message: 'unknown field' });
    } else {
      errors.push({ path: formatPath(locate(issue.path)), message: issue.message });
    }
  }
  return errors;
}

/** Messages for the generic checks; rules with their own message keep it. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_union':
      return issue.input === undefined ? 'is required' : undefined;
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected === 'int' ? 'integer' : issue.expected)} (got ${describeValue(issue.input)})`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      if (issue.values.length === 1) return `must be ${JSON.stringify(issue.values[0])} (got ${describeValue(issue.input)})`;
      return `${describeValue(issue.input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} items`;
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    default:
      return undefined;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return typeof value;
}
