import { createHash } from 'node:crypto';

import { matchesLabelSelector, type Rules } from '@promfleet/api';
import type { IConfigMap } from 'kubernetes-models/v1';
import { parseDocument } from 'yaml';

import { promqlProblem } from './promql.ts';
import { duration, isRecord, list, stringMap, unknownKeys } from './validation/shape.ts';

export type RulesProblemReason = 'RuleConfigMapNotFound' | 'RulesInvalid' | 'RulesTooLarge';

export type RulesCheck =
  | { readonly ok: true; readonly files: Readonly<Record<string, string>>; readonly hash: string; readonly message: string }
  | { readonly ok: false; readonly reason: RulesProblemReason; readonly message: string };

// A ConfigMap holds at most 1 MiB; leave room for its metadata.
const MAX_BYTES = 900 * 1024;
const GROUP = ['name', 'interval', 'query_offset', 'limit', 'rules', 'labels'];
const RULE = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
const MAX_PROBLEMS = 10;

/**
 * The rule files of `spec.rules`: every key of the named ConfigMaps and of those the selector
 * matches, each checked as Prometheus v3.5's rulefmt would (known fields, one of record or alert,
 * durations, PromQL that parses), named `<configmap>-<key>.yaml` for the owned rules ConfigMap.
 * Only a set that passes is handed to Prometheus, so a bad rule never fails a reload.
 */
export function checkRules(rules: Rules, configMaps: readonly IConfigMap[]): RulesCheck {
  const byName = new Map(configMaps.map((configMap) => [configMap.metadata?.name ?? '', configMap]));
  const missing = (rules.configMaps ?? []).filter((name) => !byName.has(name));
  if (missing.length > 0) return { ok: false, reason: 'RuleConfigMapNotFound', message: `rule ConfigMap ${missing.join(', ')} not found` };
  const selected = new Set(rules.configMaps ?? []);
  if (rules.selector) {
    const selector = rules.selector;
    for (const configMap of configMaps) if (matchesLabelSelector(selector, configMap.metadata?.labels ?? {})) selected.add(configMap.metadata?.name ?? '');
  }
  const files: Record<string, string> = {};
  const problems: string[] = [];
  let groups = 0;
  let count = 0;
  for (const name of [...selected].sort()) {
    for (const [key, text] of Object.entries(byName.get(name)?.data ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const file = `${name}-${key.replace(/\.ya?ml$/, '')}.yaml`;
      const where = `ConfigMap ${name} key ${key}`;
      if (file in files) problems.push(`${where}: another key of ${name} also becomes ${file}`);
      const result = ruleFileProblems(text);
      problems.push(...result.problems.map((problem) => `${where}: ${problem}`));
      groups += result.groups;
      count += result.rules;
      files[file] = text;
    }
  }
  if (problems.length > 0) {
    const more = problems.length > MAX_PROBLEMS ? `; and ${String(problems.length - MAX_PROBLEMS)} more` : '';
    return { ok: false, reason: 'RulesInvalid', message: `${problems.slice(0, MAX_PROBLEMS).join('; ')}${more}` };
  }
  const bytes = Object.entries(files).reduce((sum, [key, text]) => sum + key.length + Buffer.byteLength(text), 0);
  if (bytes > MAX_BYTES)
    return {
      ok: false,
      reason: 'RulesTooLarge',
      message: `the selected rule files hold ${String(bytes)} bytes, more than the ${String(MAX_BYTES)} one ConfigMap can carry`,
    };
  const names = [...selected].sort();
  const hash = createHash('sha256')
    .update(JSON.stringify(Object.entries(files).sort()))
    .digest('hex')
    .slice(0, 16);
  const from = names.length > 0 ? ` from ConfigMap ${names.join(', ')}` : ' (no ConfigMap selected yet)';
  return {
    ok: true,
    files,
    hash,
    message: `${String(Object.keys(files).length)} rule files, ${String(groups)} groups, ${String(count)} rules${from} pass the operator's checks`,
  };
}

/** What rulefmt.Parse and Validate would object to in one rule file, by path. */
export function ruleFileProblems(text: string): { problems: string[]; groups: number; rules: number } {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) return { problems: [`not YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}`], groups: 0, rules: 0 };
  const root: unknown = document.toJS() ?? {};
  if (!isRecord(root)) return { problems: ['must be a mapping with groups'], groups: 0, rules: 0 };
  const problems = unknownKeys(root, ['groups'], '');
  const names = new Set<string>();
  let rules = 0;
  const groupList = list(root.groups, 'groups', problems);
  for (const [i, group] of groupList.entries()) {
    const at = `groups[${String(i)}]`;
    if (!isRecord(group)) {
      problems.push(`${at}: must be a mapping`);
      continue;
    }
    problems.push(...unknownKeys(group, GROUP, at));
    if (typeof group.name !== 'string' || group.name === '') problems.push(`${at}.name: is required`);
    else if (names.has(group.name)) problems.push(`${at}.name: ${JSON.stringify(group.name)} is repeated in the file`);
    else names.add(group.name);
    duration(group.interval, `${at}.interval`, problems);
    duration(group.query_offset, `${at}.query_offset`, problems);
    if (group.limit !== undefined && group.limit !== null && !Number.isInteger(group.limit)) problems.push(`${at}.limit: must be a whole number`);
    stringMap(group.labels, `${at}.labels`, problems);
    for (const [j, rule] of list(group.rules, `${at}.rules`, problems).entries()) {
      rules++;
      problems.push(...ruleProblems(rule, `${at}.rules[${String(j)}]`));
    }
  }
  return { problems, groups: groupList.length, rules };
}

function ruleProblems(rule: unknown, at: string): string[] {
  const problems: string[] = [];
  if (!isRecord(rule)) return [`${at}: must be a mapping`];
  problems.push(...unknownKeys(rule, RULE, at));
  const record = typeof rule.record === 'string' && rule.record !== '';
  const alert = typeof rule.alert === 'string' && rule.alert !== '';
  if (record && alert) problems.push(`${at}: only one of record and alert may be set`);
  if (!record && !alert) problems.push(`${at}: one of record or alert must be set`);
  if (typeof rule.expr !== 'string' && typeof rule.expr !== 'number') problems.push(`${at}.expr: is required`);
  else {
    const problem = promqlProblem(String(rule.expr));
    if (problem) problems.push(`${at}.expr: ${problem}`);
  }
  duration(rule.for, `${at}.for`, problems);
  duration(rule.keep_firing_for, `${at}.keep_firing_for`, problems);
  const labels = stringMap(rule.labels, `${at}.labels`, problems);
  const annotations = stringMap(rule.annotations, `${at}.annotations`, problems);
  if (record) {
    for (const field of ['for', 'keep_firing_for', 'annotations'])
      if (rule[field] !== undefined && rule[field] !== null) problems.push(`${at}.${field}: a recording rule takes no ${field}`);
    if (/[{}]/.test(rule.record as string)) problems.push(`${at}.record: braces in a recording rule name (should they be in expr?)`);
    if ('__name__' in labels) problems.push(`${at}.labels.__name__: a recording rule cannot set __name__`);
  }
  if (alert) {
    for (const [key, value] of [
      ...Object.entries(labels).map(([k, v]) => [`labels.${k}`, v]),
      ...Object.entries(annotations).map(([k, v]) => [`annotations.${k}`, v]),
    ]) {
      if (typeof value === 'string' && value.split('{{').length !== value.split('}}').length)
        problems.push(`${at}.${String(key)}: unbalanced {{ }} in the template`);
    }
  }
  return problems;
}
