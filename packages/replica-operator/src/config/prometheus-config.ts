import { createHash } from 'node:crypto';

import { parsePrometheusDuration } from '@promfleet/api';
import { parseDocument, stringify } from 'yaml';

/** What the Thanos reloader replaces with each pod's name, so every Prometheus gets its own `replica` label. */
export const REPLICA_PLACEHOLDER = '$(POD_NAME)';

export type ConfigProblemReason = 'ConfigMapNotFound' | 'ConfigKeyMissing' | 'ConfigInvalid';

export type RenderedConfig =
  | { readonly ok: true; readonly text: string; readonly hash: string; readonly overridden: readonly string[] }
  | { readonly ok: false; readonly reason: ConfigProblemReason; readonly message: string };

// The top-level sections Prometheus 3 accepts; it refuses to start on any other.
const TOP_LEVEL = new Set(['global', 'runtime', 'rule_files', 'scrape_config_files', 'scrape_configs', 'alerting', 'remote_write', 'remote_read', 'storage', 'tracing', 'otlp']);
const GLOBAL_DURATIONS = ['scrape_interval', 'scrape_timeout', 'evaluation_interval', 'rule_query_offset'];

export interface ConfigInput {
  readonly configMapName: string;
  readonly key: string;
  /** The ConfigMap's data, or undefined when the ConfigMap does not exist. */
  readonly data: Readonly<Record<string, string>> | undefined;
  readonly clusterName: string;
  readonly externalLabels: Readonly<Record<string, string>> | undefined;
}

/**
 * The Prometheus configuration the sidecar's reloader renders: the user's config with the
 * external labels merged in — theirs, then `spec.externalLabels`, then `cluster` and the
 * `replica` placeholder, which always win. Problems come back with the path of what is wrong.
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
  const config: unknown = document.toJS();
  const problem = configProblem(config ?? {});
  if (problem) return { ok: false, reason: 'ConfigInvalid', message: `${where} key ${input.key} is not a Prometheus config: ${problem}` };

  const root = { ...(config as Record<string, unknown> | null) };
  const global = { ...(root.global as Record<string, unknown> | undefined) };
  const userLabels = (global.external_labels ?? {}) as Record<string, string>;
  const ours = { cluster: input.clusterName, replica: REPLICA_PLACEHOLDER };
  const overridden = Object.keys(ours).filter((label) => label in userLabels);
  global.external_labels = { ...userLabels, ...input.externalLabels, ...ours };
  root.global = global;
  const rendered = stringify(root, { lineWidth: 0 });
  return { ok: true, text: rendered, hash: createHash('sha256').update(rendered).digest('hex').slice(0, 16), overridden };
}

function configProblem(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'the document must be a mapping';
  const root = config as Record<string, unknown>;
  const unknown = Object.keys(root).filter((key) => !TOP_LEVEL.has(key));
  if (unknown.length > 0) return `unknown top-level field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`;
  const global = root.global;
  if (global !== undefined && global !== null) {
    if (!isRecord(global)) return 'global: must be a mapping';
    for (const field of GLOBAL_DURATIONS) {
      const value = global[field];
      if (value !== undefined && (typeof value !== 'string' || parsePrometheusDuration(value) === undefined)) return `global.${field}: ${JSON.stringify(value)} is not a Prometheus duration`;
    }
    const labels = global.external_labels;
    if (labels !== undefined && labels !== null) {
      if (!isRecord(labels)) return 'global.external_labels: must be a mapping';
      for (const [name, value] of Object.entries(labels)) {
        if (typeof value !== 'string') return `global.external_labels.${name}: must be a string`;
      }
    }
  }
  for (const field of ['rule_files', 'scrape_config_files'] as const) {
    const files = root[field];
    if (files !== undefined && files !== null && (!Array.isArray(files) || files.some((f) => typeof f !== 'string'))) return `${field}: must be a list of file paths`;
  }
  const scrapes = root.scrape_configs;
  if (scrapes !== undefined && scrapes !== null) {
    if (!Array.isArray(scrapes)) return 'scrape_configs: must be a list';
    const jobs = new Set<string>();
    for (const [i, scrape] of scrapes.entries()) {
      if (!isRecord(scrape)) return `scrape_configs[${String(i)}]: must be a mapping`;
      const job = scrape.job_name;
      if (typeof job !== 'string' || job === '') return `scrape_configs[${String(i)}].job_name: is required`;
      if (jobs.has(job)) return `scrape_configs[${String(i)}].job_name: ${JSON.stringify(job)} is used twice`;
      jobs.add(job);
      for (const field of ['scrape_interval', 'scrape_timeout']) {
        const value = scrape[field];
        if (value !== undefined && (typeof value !== 'string' || parsePrometheusDuration(value) === undefined)) return `scrape_configs[${String(i)}].${field}: ${JSON.stringify(value)} is not a Prometheus duration`;
      }
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

