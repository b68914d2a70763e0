import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { renderPrometheusConfig, type ConfigInput } from './prometheus-config.ts';

const base: ConfigInput = { configMapName: 'prometheus-config', key: 'prometheus.yml', data: {}, clusterName: 'eu-west', externalLabels: undefined };
const render = (text: string | undefined, overrides: Partial<ConfigInput> = {}) =>
  renderPrometheusConfig({ ...base, data: text === undefined ? {} : { 'prometheus.yml': text }, ...overrides });

describe('renderPrometheusConfig', () => {
  it('merges external labels: the user’s, then spec.externalLabels, then cluster and the replica placeholder', () => {
    const result = render('global:\n  scrape_interval: 15s\n  external_labels:\n    team: a\n    cluster: theirs\nscrape_configs: []\n', { externalLabels: { environment: 'prod', team: 'b' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(parse(result.text)).toEqual({ global: { scrape_interval: '15s', external_labels: { team: 'b', cluster: 'eu-west', environment: 'prod', replica: '$(POD_NAME)' } }, scrape_configs: [] });
    expect(result.overridden).toEqual(['cluster']);
    expect(result.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('accepts an empty config', () => {
    const result = render('');
    expect(result.ok && parse(result.text)).toEqual({ global: { external_labels: { cluster: 'eu-west', replica: '$(POD_NAME)' } } });
  });

  it('hashes the rendered text, so only real changes count', () => {
    const a = render('scrape_configs: []\n');
    const b = render('scrape_configs:   []\n');
    const c = render('scrape_configs: []\n', { clusterName: 'us-east' });
    expect(a.ok && b.ok && a.hash === b.hash).toBe(true);
    expect(a.ok && c.ok && a.hash !== c.hash).toBe(true);
  });

  it.each([
    ['a missing ConfigMap', undefined, { data: undefined }, 'ConfigMapNotFound', 'ConfigMap prometheus-config not found'],
    ['a missing key', undefined, { data: { 'other.yml': '' } }, 'ConfigKeyMissing', 'has no key prometheus.yml (has other.yml)'],
    ['text that is not YAML', 'global: [unclosed', {}, 'ConfigInvalid', 'is not YAML'],
    ['a list at the top', '- a\n- b\n', {}, 'ConfigInvalid', 'the document must be a mapping'],
    ['an unknown section', 'scrape_config:\n  - job_name: x\n', {}, 'ConfigInvalid', 'unknown top-level field "scrape_config"'],
    ['a bad global duration', 'global:\n  scrape_interval: 15 seconds\n', {}, 'ConfigInvalid', 'global.scrape_interval: "15 seconds" is not a Prometheus duration'],
    ['a scrape config without job_name', 'scrape_configs:\n  - static_configs: []\n', {}, 'ConfigInvalid', 'scrape_configs[0].job_name: is required'],
    ['duplicate job names', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n', {}, 'ConfigInvalid', 'scrape_configs[1].job_name: "a" is used twice'],
    ['non-string external labels', 'global:\n  external_labels:\n    n: 1\n', {}, 'ConfigInvalid', 'global.external_labels.n: must be a string'],
    ['duplicate keys', 'global: {}\nglobal: {}\n', {}, 'ConfigInvalid', 'is not YAML'],
  ])('rejects %s with reason and message', (_what, text, overrides, reason, message) => {
    const result = render(text, overrides);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(reason);
    expect(result.message).toContain(message);
  });
});
