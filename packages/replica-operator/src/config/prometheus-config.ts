import { createHash } from 'node:crypto';

import type { Alertmanager } from '@promfleet/api';
import { parseDocument, stringify } from 'yaml';

import { POD_PATHS, PROMETHEUS_ENVIRONMENT, REPLICA_LABEL_VALUE } from '../pod-paths.ts';
import { markerFile, markerPath } from './config-marker.ts';
import { prometheusConfigProblems } from './validation/prometheus-config.ts';
import { isRecord } from './validation/shape.ts';

export type ConfigProblemReason = 'ConfigMapNotFound' | 'ConfigKeyMissing' | 'ConfigInvalid';

export type RenderedConfig =
  | {
      readonly ok: true;
      readonly text: string;
      /** Hash of the rendered config; the marker file named after it goes with it. */
      readonly hash: string;
      readonly marker: string;
      readonly overridden: readonly string[];
    }
  | { readonly ok: false; readonly reason: ConfigProblemReason; readonly message: string };

export interface ConfigInput {
  readonly configMapName: string;
  readonly key: string;
  /** The ConfigMap's data, or undefined when the ConfigMap does not exist. */
  readonly data: Readonly<Record<string, string>> | undefined;
  readonly clusterName: string;
  readonly externalLabels: Readonly<Record<string, string>> | undefined;
  /** spec.rules is set: the rule files the operator mounts are listed. */
  readonly rules?: boolean;
  readonly alertmanagers?: readonly Alertmanager[] | undefined;
}

const MAX_PROBLEMS = 10;

/**
 * The config Prometheus reads: the user's config, checked, with the external labels merged in —
 * theirs, then `spec.externalLabels` (taken literally), then `cluster` and `replica`, which always
 * win — the operator's rule files and Alertmanagers added, and the config marker listed last.
 */
export function renderPrometheusConfig(input: ConfigInput): RenderedConfig {
  const where = `ConfigMap ${input.configMapName}`;
  if (input.data === undefined) return { ok: false, reason: 'ConfigMapNotFound', message: `${where} not found` };
  const text = input.data[input.key];
  if (text === undefined) {
    const keys = Object.keys(input.data);
    return { ok: false, reason: 'ConfigKeyMissing', message: `${where} has no key ${input.key} (has ${keys.length ? keys.join(', ') : 'no keys'})` };
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    return { ok: false, reason: 'ConfigInvalid', message: `${where} key ${input.key} is not YAML: ${first?.message.split('\n')[0] ?? ''}` };
  }
  const config: unknown = document.toJS() ?? {};
  const problems = prometheusConfigProblems(config, PROMETHEUS_ENVIRONMENT);
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
    const more = problems.length > MAX_PROBLEMS ? `; and ${String(problems.length - MAX_PROBLEMS)} more` : '';
    return { ok: false, reason: 'ConfigInvalid', message: `${where} key ${input.key} is not a valid Prometheus config: ${shown}${more}` };
  }

  const root = { ...(config as Record<string, unknown>) };
  const global = { ...(isRecord(root.global) ? root.global : {}) };
  const userLabels = (global.external_labels ?? {}) as Record<string, string>;
  const ours = { cluster: escapeExpansion(input.clusterName), replica: REPLICA_LABEL_VALUE };
  const overridden = Object.keys(ours).filter((label) => label in userLabels);
  const specLabels = Object.fromEntries(Object.entries(input.externalLabels ?? {}).map(([name, value]) => [name, escapeExpansion(value)]));
  global.external_labels = { ...userLabels, ...specLabels, ...ours };
  root.global = global;
  if (input.rules) root.rule_files = [...((root.rule_files as string[] | null | undefined) ?? []), `${POD_PATHS.rulesDir}/*.yaml`];
  const alerting = withAlertmanagers(root.alerting, input.alertmanagers ?? []);
  if (alerting) root.alerting = alerting;
  const hash = hashOf(stringify(root, { lineWidth: 0 }));
  root.rule_files = [...((root.rule_files as string[] | null | undefined) ?? []), markerPath(hash)];
  return { ok: true, text: stringify(root, { lineWidth: 0 }), hash, marker: markerFile(hash), overridden };
}

/**
 * The user's alerting section with the replica's Alertmanagers appended. With any Alertmanager,
 * the `replica` label is dropped from alerts first, so the two pods of an HA pair send the same
 * alert and Alertmanager deduplicates it.
 */
function withAlertmanagers(value: unknown, alertmanagers: readonly Alertmanager[]): Record<string, unknown> | undefined {
  const alerting = isRecord(value) ? { ...value } : {};
  const theirs: unknown[] = Array.isArray(alerting.alertmanagers) ? alerting.alertmanagers : [];
  const added = alertmanagers.map((manager) => ({
    scheme: manager.scheme,
    ...(manager.pathPrefix ? { path_prefix: manager.pathPrefix } : {}),
    ...(manager.timeout ? { timeout: manager.timeout } : {}),
    api_version: 'v2',
    static_configs: [{ targets: [...manager.targets] }],
  }));
  if (theirs.length + added.length === 0) return isRecord(value) ? value : undefined;
  const relabel: unknown[] = Array.isArray(alerting.alert_relabel_configs) ? alerting.alert_relabel_configs : [];
  return { ...alerting, alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }, ...relabel], alertmanagers: [...theirs, ...added] };
}

/** A value Prometheus must take literally: its expansion of external labels turns `$$` into `$`. */
function escapeExpansion(value: string): string {
  return value.replaceAll('$', '$$$$');
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
