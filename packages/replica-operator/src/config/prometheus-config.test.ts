import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { loadedConfigHash } from './config-marker.ts';
import { renderPrometheusConfig, type ConfigInput } from './prometheus-config.ts';
import { expansionReferences } from './validation/prometheus-config.ts';

const base: ConfigInput = { configMapName: 'prometheus-config', key: 'prometheus.yml', data: {}, clusterName: 'eu-west', externalLabels: undefined };
const render = (text: string | undefined, overrides: Partial<ConfigInput> = {}) =>
  renderPrometheusConfig({ ...base, data: text === undefined ? {} : { 'prometheus.yml': text }, ...overrides });
const rendered = (text: string, overrides: Partial<ConfigInput> = {}) => {
  const result = render(text, overrides);
  if (!result.ok) throw new Error(result.message);
  return { ...result, config: parse(result.text) as Record<string, unknown> };
};
const problem = (text: string) => {
  const result = render(text);
  return result.ok ? 'accepted' : result.message;
};
const job = (body: string) => `scrape_configs:\n  - job_name: a\n${body.replace(/^/gm, '    ')}\n`;

describe('renderPrometheusConfig', () => {
  it('merges external labels: the user’s, then spec.externalLabels, then cluster and replica, which Prometheus expands per pod', () => {
    const { config, overridden, hash, marker } = rendered(
      'global:\n  scrape_interval: 15s\n  external_labels:\n    team: a\n    cluster: theirs\nscrape_configs: []\n',
      {
        externalLabels: { environment: 'prod', team: 'b' },
      },
    );
    expect(config).toEqual({
      global: { scrape_interval: '15s', external_labels: { team: 'b', cluster: 'eu-west', environment: 'prod', replica: '${POD_NAME}' } },
      scrape_configs: [],
      rule_files: [`/etc/prometheus/config/promfleet-config-${hash}.yaml`],
    });
    expect(overridden).toEqual(['cluster']);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(marker).toBe(`promfleet-config-${hash}.yaml`);
    expect(loadedConfigHash(config.rule_files as string[])).toBe(hash);
  });

  it('accepts an empty config, and leaves $(VAR) alone: nothing substitutes it any more', () => {
    const { config } = rendered('');
    expect(config.global).toEqual({ external_labels: { cluster: 'eu-west', replica: '${POD_NAME}' } });
    expect(rendered(job('static_configs: [{targets: ["a:1"], labels: {x: "$(FOO)"}}]')).text).toContain('$(FOO)');
  });

  it('escapes $ in values the operator sets, so Prometheus keeps them literal', () => {
    const { config } = rendered('', { clusterName: 'a$b', externalLabels: { cost: '$5' } });
    expect(config.global).toEqual({ external_labels: { cluster: 'a$$b', cost: '$$5', replica: '${POD_NAME}' } });
  });

  it('hashes the rendered text, so only real changes count', () => {
    const a = render('scrape_configs: []\n');
    const b = render('scrape_configs:   []\n');
    const c = render('scrape_configs: []\n', { clusterName: 'us-east' });
    expect(a.ok && b.ok && a.hash === b.hash).toBe(true);
    expect(a.ok && c.ok && a.hash !== c.hash).toBe(true);
  });

  it('lists the rule files and Alertmanagers of the spec, dropping the replica label from alerts', () => {
    const { config } = rendered('rule_files: [/theirs.yaml]\nalerting:\n  alertmanagers:\n    - static_configs: [{targets: ["am-0:9093"]}]\n', {
      rules: true,
      alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'], scheme: 'https', pathPrefix: '/am', timeout: '5s' }],
    });
    expect((config.rule_files as string[]).slice(0, 2)).toEqual(['/theirs.yaml', '/etc/prometheus/rules/*.yaml']);
    expect(config.alerting).toEqual({
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
      alertmanagers: [
        { static_configs: [{ targets: ['am-0:9093'] }] },
        { scheme: 'https', path_prefix: '/am', timeout: '5s', api_version: 'v2', static_configs: [{ targets: ['alertmanager.monitoring.svc:9093'] }] },
      ],
    });
    expect(rendered('').config.alerting).toBeUndefined();
  });

  it('accepts what Prometheus accepts', () => {
    const config = [
      'global: {scrape_interval: 30s, scrape_timeout: 30s, evaluation_interval: 1m, external_labels: {r: "${POD_NAME}", d: "$$"}}',
      'scrape_configs:',
      '  - job_name: pods',
      '    kubernetes_sd_configs: [{role: pod}]',
      '    relabel_configs:',
      '      - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: "true"}',
      '      - {action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)"}',
      '      - {source_labels: [__address__], target_label: __address__, regex: "(?P<host>[^:]+)(?::\\\\d+)?", replacement: "${1}:9100"}',
      '      - {action: hashmod, source_labels: [__address__], target_label: shard, modulus: 4}',
      '      - {action: labeldrop, regex: "tmp_.*"}',
      '      - {action: keepequal, source_labels: [a], target_label: b}',
      '    basic_auth: {username: u, password_file: /etc/secret}',
      '    tls_config: {insecure_skip_verify: true}',
      '  - job_name: urls-rewritten',
      '    static_configs: [{targets: ["http://example.com/metrics"]}]',
      '    relabel_configs: [{source_labels: [__address__], target_label: __param_target}]',
      '  - job_name: slow',
      '    scrape_interval: 2m',
      '    static_configs: [{targets: [localhost:9090, "[::1]:9100", node], labels: {env: prod}}]',
      'alerting:',
      '  alertmanagers: [{static_configs: [{targets: ["am:9093"]}], api_version: v2, timeout: 10s}]',
      'remote_write: [{url: "http://example.com/write"}]',
    ].join('\n');
    expect(problem(config)).toBe('accepted');
  });

  it.each([
    ['a missing ConfigMap', undefined, { data: undefined }, 'ConfigMapNotFound', 'ConfigMap prometheus-config not found'],
    ['a missing key', undefined, { data: { 'other.yml': '' } }, 'ConfigKeyMissing', 'has no key prometheus.yml (has other.yml)'],
    ['text that is not YAML', 'global: [unclosed', {}, 'ConfigInvalid', 'is not YAML'],
    ['a list at the top', '- a\n- b\n', {}, 'ConfigInvalid', 'the document must be a mapping'],
    ['duplicate keys', 'global: {}\nglobal: {}\n', {}, 'ConfigInvalid', 'is not YAML'],
  ])('rejects %s with reason and message', (_what, text, overrides, reason, message) => {
    const result = render(text, overrides);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it.each([
    ['an unknown section', 'scrape_config:\n  - job_name: x\n', 'scrape_config: unknown field'],
    ['a misspelled static_configs', job('static_config: [{targets: ["a:1"]}]'), 'scrape_configs[0].static_config: unknown field'],
    ['a misspelled global field', 'global: {scrape_intervall: 1m}\n', 'global.scrape_intervall: unknown field'],
    [
      'an unknown key in a target group',
      job('static_configs: [{targets: ["a:1"], label: {x: y}}]'),
      'scrape_configs[0].static_configs[0].label: unknown field',
    ],
    ['an unknown key in basic_auth', job('basic_auth: {user: x}'), 'scrape_configs[0].basic_auth.user: unknown field'],
    ['two kinds of authentication', job('basic_auth: {username: x}\nbearer_token: t'), 'at most one of basic_auth, oauth2, bearer_token'],
    ['a bad global duration', 'global:\n  scrape_interval: 15 seconds\n', 'global.scrape_interval: "15 seconds" is not a Prometheus duration'],
    [
      'a global timeout above the interval',
      'global: {scrape_interval: 10s, scrape_timeout: 20s}\n',
      'global.scrape_timeout: 20s is greater than global.scrape_interval (10s)',
    ],
    [
      'a job timeout above its interval',
      job('scrape_interval: 5s\nscrape_timeout: 10s'),
      'scrape_configs[0].scrape_timeout: 10s is greater than the scrape interval (5s)',
    ],
    ['a job timeout above the global default interval', job('scrape_timeout: 2m'), 'is greater than the scrape interval (global.scrape_interval 1m)'],
    ['a job timeout above the global interval', `global: {scrape_interval: 15s}\n${job('scrape_timeout: 20s')}`, '(global.scrape_interval 15s)'],
    ['a scrape config without job_name', 'scrape_configs:\n  - static_configs: []\n', 'scrape_configs[0].job_name: is required'],
    ['duplicate job names', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n', 'scrape_configs[1].job_name: "a" is used twice'],
    [
      'a URL as a target',
      job('static_configs: [{targets: ["http://localhost:9090/metrics"]}]'),
      '"http://localhost:9090/metrics" is not a valid hostname: write host:port',
    ],
    [
      'a URL as an Alertmanager',
      'alerting: {alertmanagers: [{static_configs: [{targets: ["http://am:9093"]}]}]}',
      'alerting.alertmanagers[0].static_configs[0].targets[0]: "http://am:9093" is not a valid hostname',
    ],
    ['Alertmanager API v1', 'alerting: {alertmanagers: [{api_version: v1}]}', 'alerting.alertmanagers[0].api_version: "v1" is not supported'],
    [
      'a lookahead in a relabel regex',
      job('relabel_configs: [{source_labels: [a], regex: "foo(?=bar)", action: keep}]'),
      'relabel_configs[0].regex: "foo(?=bar)" is not an RE2 regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
    [
      'a backreference',
      job('metric_relabel_configs: [{source_labels: [a], regex: "(a)\\\\1", action: drop}]'),
      'metric_relabel_configs[0].regex: "(a)\\\\1" is not an RE2 regular expression: error parsing regexp: invalid escape sequence: `\\1`',
    ],
    ['an unknown relabel action', job('relabel_configs: [{action: rename}]'), 'unknown relabel action "rename"'],
    ['a misspelled relabel field', job('relabel_configs: [{source_label: [a], action: keep}]'), 'relabel_configs[0].source_label: unknown field'],
    ['replace without a target', job('relabel_configs: [{source_labels: [a]}]'), 'relabel_configs[0]: replace requires target_label'],
    ['hashmod without a modulus', job('relabel_configs: [{source_labels: [a], target_label: b, action: hashmod}]'), 'hashmod requires a non-zero modulus'],
    ['labeldrop with source labels', job('relabel_configs: [{source_labels: [a], regex: x, action: labeldrop}]'), 'labeldrop takes only regex'],
    [
      'lowercase with a replacement',
      job('relabel_configs: [{source_labels: [a], target_label: b, replacement: c, action: lowercase}]'),
      'replacement cannot be set for lowercase',
    ],
    ['an empty relabel rule', job('relabel_configs: [null]'), 'relabel_configs[0]: must be a mapping'],
    [
      'an unset variable in an external label',
      'global: {external_labels: {host: "$HOSTNAME"}}',
      'global.external_labels.host: $HOSTNAME would be expanded by Prometheus from its environment, which has only POD_NAME',
    ],
    ['a braced unset variable', 'global: {external_labels: {host: "a-${NODE}"}}', '$NODE would be expanded'],
    ['non-string external labels', 'global:\n  external_labels:\n    n: 1\n', 'global.external_labels.n: must be a string'],
    ['a rule file glob in a directory', 'rule_files: ["/etc/*/rules.yaml"]', 'rule_files[0]: "/etc/*/rules.yaml" may hold one * only, in its last segment'],
    ['a list where a mapping belongs', 'alerting: []', 'alerting: must be a mapping'],
  ])('rejects %s', (_what, text, message) => {
    const result = render(text);
    expect(result).toMatchObject({ ok: false, reason: 'ConfigInvalid' });
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it('reports every problem at once, up to ten', () => {
    const many = `scrape_configs:\n${Array.from({ length: 12 }, (_, i) => `  - {job_name: j${String(i)}, static_confs: []}`).join('\n')}\n`;
    const message = problem(many);
    expect(message.match(/unknown field/g)).toHaveLength(10);
    expect(message).toContain('; and 2 more');
  });
});

describe('expansionReferences', () => {
  it('finds what Go’s os.Expand would look up', () => {
    expect(expansionReferences('${POD_NAME}-$HOST-$$-$(X)-$1-${}-${A')).toEqual(['POD_NAME', 'HOST', '1', '', '']);
    expect(expansionReferences('plain $')).toEqual([]);
  });
});
