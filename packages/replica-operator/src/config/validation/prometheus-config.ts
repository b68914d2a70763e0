import { parsePrometheusDuration } from '@promfleet/api';

import { ALERTING, ALERTMANAGER, GLOBAL, TOP_LEVEL } from './keys.ts';
import { relabelProblems } from './relabel.ts';
import { scrapeConfigProblems } from './scrape.ts';
import { duration, isRecord, list, mapping, unknownKeys } from './shape.ts';
import { discoveryProblems, httpClientProblems } from './targets.ts';

// Prometheus' defaults for what the global block leaves out.
const DEFAULT_INTERVAL = '1m';
// config.patRulePath: at most one `*`, in the last path segment.
const RULE_PATH = /^[^*]*(\*[^/]*)?$/;

/**
 * Everything the operator can tell, without running it, that Prometheus v3.5 would refuse in a
 * config: unknown fields in the blocks it knows (top level, global, scrape configs with their HTTP
 * client, static targets and relabelling, alerting), durations, a scrape timeout above its
 * interval, relabel rules and their RE2 regexes, URLs written as targets, rule file globs, and
 * external label references to variables the Prometheus container does not have. Discovery
 * blocks, remote write/read, storage and tracing are only checked for their shape; Prometheus'
 * own verdict is the ConfigApplied condition.
 */
export function prometheusConfigProblems(config: unknown, environment: readonly string[]): string[] {
  if (!isRecord(config)) return ['the document must be a mapping'];
  const problems = unknownKeys(config, TOP_LEVEL, '');
  const global = mapping(config.global, 'global', problems) ?? {};
  problems.push(...unknownKeys(global, GLOBAL, 'global'));
  const intervalText = typeof global.scrape_interval === 'string' && global.scrape_interval !== '' ? global.scrape_interval : DEFAULT_INTERVAL;
  // 0 means unset to Prometheus too.
  const interval = duration(global.scrape_interval, 'global.scrape_interval', problems) || (parsePrometheusDuration(DEFAULT_INTERVAL) ?? 0); // eslint-disable-line @typescript-eslint/prefer-nullish-coalescing
  const timeout = duration(global.scrape_timeout, 'global.scrape_timeout', problems);
  if (timeout !== undefined && timeout > interval)
    problems.push(`global.scrape_timeout: ${String(global.scrape_timeout)} is greater than global.scrape_interval (${intervalText})`);
  for (const field of ['evaluation_interval', 'rule_query_offset']) duration(global[field], `global.${field}`, problems);
  problems.push(...externalLabelProblems(global.external_labels, environment));
  for (const field of ['rule_files', 'scrape_config_files']) {
    for (const [i, path] of list(config[field], field, problems).entries()) {
      if (typeof path !== 'string') problems.push(`${field}[${String(i)}]: must be a file path`);
      else if (!RULE_PATH.test(path)) problems.push(`${field}[${String(i)}]: ${JSON.stringify(path)} may hold one * only, in its last segment`);
    }
  }
  problems.push(...scrapeConfigProblems(config.scrape_configs, { interval, intervalText }), ...alertingProblems(config.alerting));
  for (const field of ['runtime', 'storage', 'tracing', 'otlp']) mapping(config[field], field, problems);
  for (const field of ['remote_write', 'remote_read']) list(config[field], field, problems);
  return problems;
}

function alertingProblems(value: unknown): string[] {
  const problems: string[] = [];
  const alerting = mapping(value, 'alerting', problems);
  if (!alerting) return problems;
  problems.push(...unknownKeys(alerting, ALERTING, 'alerting'), ...relabelProblems(alerting.alert_relabel_configs, 'alerting.alert_relabel_configs'));
  for (const [i, manager] of list(alerting.alertmanagers, 'alerting.alertmanagers', problems).entries()) {
    const at = `alerting.alertmanagers[${String(i)}]`;
    if (!isRecord(manager)) {
      problems.push(`${at}: must be a mapping`);
      continue;
    }
    problems.push(...unknownKeys(manager, ALERTMANAGER, at), ...httpClientProblems(manager, at), ...discoveryProblems(manager, at));
    if (manager.api_version !== undefined && manager.api_version !== null && manager.api_version !== 'v2')
      problems.push(`${at}.api_version: ${JSON.stringify(manager.api_version)} is not supported (v2 only)`);
    duration(manager.timeout, `${at}.timeout`, problems);
    problems.push(
      ...relabelProblems(manager.relabel_configs, `${at}.relabel_configs`),
      ...relabelProblems(manager.alert_relabel_configs, `${at}.alert_relabel_configs`),
    );
  }
  return problems;
}

/**
 * Prometheus expands `$NAME` and `${NAME}` in external label values from its own environment
 * (os.Expand; `$$` is a literal `$`), and an unset variable silently becomes "". Only the
 * variables the operator puts in the container's environment can be referenced.
 */
function externalLabelProblems(value: unknown, environment: readonly string[]): string[] {
  const problems: string[] = [];
  const labels = mapping(value, 'global.external_labels', problems) ?? {};
  for (const [name, label] of Object.entries(labels)) {
    const at = `global.external_labels.${name}`;
    if (name === '') problems.push('global.external_labels: a label name must not be empty');
    if (typeof label !== 'string') {
      problems.push(`${at}: must be a string`);
      continue;
    }
    for (const reference of expansionReferences(label)) {
      if (!environment.includes(reference)) {
        problems.push(
          `${at}: ${reference === '' ? 'a malformed ${…}' : `$${reference}`} would be expanded by Prometheus from its environment, which has only ${environment.join(', ')}; write $$ for a literal $`,
        );
      }
    }
  }
  return problems;
}

const SHELL_SPECIAL = new Set(['*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** The variable names Go's os.Expand would look up in `text` ("" for malformed `${…}`), without `$$`. */
export function expansionReferences(text: string): string[] {
  const names: string[] = [];
  for (let j = 0; j < text.length - 1; j++) {
    if (text[j] !== '$') continue;
    const rest = text.slice(j + 1);
    const first = rest.charAt(0);
    if (first === '{') {
      const close = rest.indexOf('}');
      names.push(close > 1 ? rest.slice(1, close) : '');
      j += close > 0 ? close + 1 : 1;
    } else if (SHELL_SPECIAL.has(first)) {
      if (first !== '$') names.push(first);
      j += 1;
    } else {
      const name = /^[A-Za-z0-9_]*/.exec(rest)?.[0] ?? '';
      if (name !== '') names.push(name);
      j += name.length;
    }
  }
  return names;
}
