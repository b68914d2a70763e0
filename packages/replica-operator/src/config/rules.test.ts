import type { IConfigMap } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { checkRules, ruleFileProblems } from './rules.ts';

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): IConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});
const GOOD =
  'groups:\n  - name: node\n    rules:\n      - alert: NodeDown\n        expr: up{job="node"} == 0\n        for: 5m\n        labels: {severity: page}\n        annotations: {summary: "{{ $labels.instance }} is down"}\n      - record: job:up:sum\n        expr: sum by (job) (up)\n';
const problems = (text: string) => ruleFileProblems(text).problems;

describe('checkRules', () => {
  it('collects the named and the selected ConfigMaps, one file per key, and counts what it checked', () => {
    const result = checkRules({ configMaps: ['team-a'], selector: { matchLabels: { rules: 'yes' } } }, [
      configMap('team-a', { 'alerts.yml': GOOD }),
      configMap('team-b', { 'more.yaml': GOOD, records: 'groups: []\n' }, { rules: 'yes' }),
      configMap('other', { 'x.yaml': 'not: rules' }),
    ]);
    expect(result).toMatchObject({ ok: true, message: "3 rule files, 2 groups, 4 rules from ConfigMap team-a, team-b pass the operator's checks" });
    expect(result.ok && Object.keys(result.files)).toEqual(['team-a-alerts.yaml', 'team-b-more.yaml', 'team-b-records.yaml']);
    expect(result.ok && result.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names the ConfigMap that is missing, and the file and path of every problem', () => {
    expect(checkRules({ configMaps: ['gone'] }, [])).toEqual({ ok: false, reason: 'RuleConfigMapNotFound', message: 'rule ConfigMap gone not found' });
    const bad = checkRules({ configMaps: ['team-a'] }, [configMap('team-a', { 'a.yaml': 'groups: [{name: g, rules: [{alert: A, expr: "rate(up)"}]}]' })]);
    expect(bad).toEqual({
      ok: false,
      reason: 'RulesInvalid',
      message: 'ConfigMap team-a key a.yaml: groups[0].rules[0].expr: rate() needs a range vector such as metric[5m] as argument 1',
    });
  });

  it('refuses more than one ConfigMap can carry', () => {
    const big = `# ${'x'.repeat(1_000_000)}\ngroups: []\n`;
    expect(checkRules({ configMaps: ['big'] }, [configMap('big', { 'a.yaml': big })])).toMatchObject({ ok: false, reason: 'RulesTooLarge' });
  });
});

describe('ruleFileProblems', () => {
  it('accepts a rule file Prometheus accepts', () => {
    expect(ruleFileProblems(GOOD)).toEqual({ problems: [], groups: 1, rules: 2 });
    expect(problems('')).toEqual([]);
  });

  it.each([
    ['not YAML', 'groups: [', 'not YAML'],
    ['a misspelled top-level field', 'group: []', 'group: unknown field'],
    ['a group without a name', 'groups: [{rules: []}]', 'groups[0].name: is required'],
    ['a repeated group name', 'groups: [{name: a, rules: []}, {name: a, rules: []}]', 'groups[1].name: "a" is repeated in the file'],
    ['a misspelled rule field', 'groups: [{name: a, rules: [{alert: A, expr: up, annotation: {}}]}]', 'groups[0].rules[0].annotation: unknown field'],
    ['neither record nor alert', 'groups: [{name: a, rules: [{expr: up}]}]', 'one of record or alert must be set'],
    ['both record and alert', 'groups: [{name: a, rules: [{record: r, alert: A, expr: up}]}]', 'only one of record and alert may be set'],
    ['no expr', 'groups: [{name: a, rules: [{alert: A}]}]', 'groups[0].rules[0].expr: is required'],
    ['a PromQL syntax error', 'groups: [{name: a, rules: [{alert: A, expr: "up =="}]}]', 'groups[0].rules[0].expr: syntax error at character 6'],
    ['a bad for', 'groups: [{name: a, rules: [{alert: A, expr: up, for: soon}]}]', 'groups[0].rules[0].for: "soon" is not a Prometheus duration'],
    ['for on a recording rule', 'groups: [{name: a, rules: [{record: r, expr: up, for: 1m}]}]', 'a recording rule takes no for'],
    ['braces in a record name', 'groups: [{name: a, rules: [{record: "r{a=\\"b\\"}", expr: up}]}]', 'braces in a recording rule name'],
    ['an unbalanced template', 'groups: [{name: a, rules: [{alert: A, expr: up, annotations: {s: "{{ $value"}}]}]', 'annotations.s: unbalanced {{ }}'],
  ])('rejects %s', (_what, text, message) => {
    expect(problems(text).join('; ')).toContain(message);
  });
});
