import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repositoryRoot } from '@promfleet/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

import { CHART_NAMES, type ChartName } from '../src/crd-copies.ts';
import { chartDirectory, renderChart } from './helpers/helm.ts';
import { exportedSeriesNames } from './helpers/metric-names.ts';
import { ofKind, only, type KubeObject } from './helpers/objects.ts';
import { parsePromQL, withoutGrafanaVariables } from './helpers/promql.ts';

/**
 * Metrics the alerts and the dashboard use that the controllers do not export yet. Each must be
 * absent from the registries (a test checks), so this list empties itself: once a metric is
 * added, the check fails until it is removed from here.
 */
const AWAITING_EXPORT = new Set<string>([]);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}

interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

const ALERTS: Record<ChartName, string[]> = {
  'promfleet-hub': [
    'PromfleetMemberOffline',
    'PromfleetDNSFailingStatic',
    'PromfleetMemberCredentialExpiring',
    'PromfleetReconcileErrors',
    'PromfleetNoLeader',
    'PromfleetWorkQueueStuck',
  ],
  'promfleet-replica-operator': ['PromfleetReconcileErrors', 'PromfleetNoLeader', 'PromfleetWorkQueueStuck'],
};

let series: Set<string>;
beforeAll(() => {
  series = exportedSeriesNames();
});

function unknownMetrics(metrics: readonly string[]): string[] {
  return metrics.filter((metric) => !series.has(metric) && !AWAITING_EXPORT.has(metric));
}

describe.each(CHART_NAMES)('%s monitoring', (chart) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderChart(chart, { valuesFiles: [`${chartDirectory(chart)}/ci/monitoring-values.yaml`] });
  });

  const rules = (): Rule[] =>
    (only(objects, 'PrometheusRule') as unknown as { spec: { groups: { rules: Rule[] }[] } }).spec.groups.flatMap((group) => group.rules);
  const dashboard = (): Dashboard => {
    const data = (only(objects, 'ConfigMap') as unknown as { data: Record<string, string> }).data;
    const [json] = Object.values(data);
    return JSON.parse(json ?? '') as Dashboard;
  };

  it('ships its alerts, each with a severity, a summary, a description and a runbook in docs/operations.md', () => {
    expect(rules().map((rule) => rule.alert)).toEqual(ALERTS[chart]);
    const runbooks = readFileSync(join(repositoryRoot(), 'docs', 'operations.md'), 'utf8');
    for (const rule of rules()) {
      expect(runbooks, rule.alert).toContain(`\n### ${rule.alert}\n`);
      expect(rule.labels.severity, rule.alert).toMatch(/^(critical|warning)$/);
      expect(rule.annotations.runbook_url, rule.alert).toBe(`https://example.com/promfleet/docs/operations.md#${rule.alert.toLowerCase()}`);
    }
  });

  it('has alert expressions that parse as PromQL and use only metrics the controllers export', () => {
    for (const rule of rules()) {
      const { errors, metrics } = parsePromQL(rule.expr);
      expect(errors, `${rule.alert}: ${rule.expr}`).toEqual([]);
      expect(metrics.length, rule.alert).toBeGreaterThan(0);
      expect(unknownMetrics(metrics), rule.alert).toEqual([]);
    }
  });

  it('scopes every alert to this release by namespace and job', () => {
    for (const rule of rules()) expect(rule.expr, rule.alert).toContain(`{namespace="promfleet-system",job="${chart}"`);
  });

  it('ships a Grafana dashboard for the sidecar whose queries parse and use only exported metrics', () => {
    const configMap = only(objects, 'ConfigMap');
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    const { uid, panels, templating } = dashboard();
    expect(uid).toBe(chart);
    const queries = [
      ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr }))),
      // label_values(SELECTOR, label): the selector is PromQL.
      ...templating.list.flatMap((variable) => {
        const query = typeof variable.query === 'object' ? variable.query.query : variable.query;
        const selector = /^label_values\((.+),\s*\w+\)$/.exec(query ?? '')?.[1];
        return selector ? [{ where: `variable ${variable.name}`, expr: selector }] : [];
      }),
    ];
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      const { errors, metrics } = parsePromQL(withoutGrafanaVariables(expr));
      expect(errors, `${where}: ${expr}`).toEqual([]);
      expect(metrics.length, where).toBeGreaterThan(0);
      expect(unknownMetrics(metrics), where).toEqual([]);
    }
  });

  it('renders neither rules nor dashboard nor ServiceMonitor by default', async () => {
    const defaults = await renderChart(chart);
    expect(['PrometheusRule', 'ServiceMonitor', 'ConfigMap'].flatMap((kind) => ofKind(defaults, kind))).toEqual([]);
  });
});

describe('metrics awaiting export', () => {
  it('are really missing from the registries (remove each from AWAITING_EXPORT once it exists)', () => {
    expect([...AWAITING_EXPORT].filter((metric) => series.has(metric))).toEqual([]);
  });
});

describe('the PromQL check', () => {
  it('finds syntax errors and metric names', () => {
    expect(parsePromQL('sum by (job) (rate(promfleet_reconcile_total{result="error"}[5m])) > 0').errors).toEqual([]);
    expect(parsePromQL('sum by (job) (rate(promfleet_reconcile_total[5m]) > ').errors).not.toEqual([]);
    expect(parsePromQL('max(a_metric) unless on (x) b_metric{y="1"}').metrics).toEqual(['a_metric', 'b_metric']);
  });
});
