import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { stringify } from 'yaml';

import type { ChartName } from '../../src/crd-copies.ts';
import { chartDirectory, renderChart } from './helm.ts';
import { only } from './objects.ts';

const run = promisify(execFile);

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/**
 * The groups of the PrometheusRule a chart renders with its monitoring values, each holding only
 * the one alert under test, without annotations (the expression is under test; annotations would
 * only make the expected alerts longer).
 */
export async function renderedAlert(chart: ChartName, alert: string): Promise<RuleGroup[]> {
  const objects = await renderChart(chart, { valuesFiles: [`${chartDirectory(chart)}/ci/monitoring-values.yaml`] });
  const groups = (only(objects, 'PrometheusRule') as unknown as { spec: { groups: RuleGroup[] } }).spec.groups;
  return groups.map((group) => ({ ...group, rules: group.rules.filter((rule) => rule.alert === alert).map(({ annotations: _, ...rule }) => rule) }));
}

/**
 * Prometheus's own rule engine on those groups: `promtool test rules` with a unit-test file
 * (`tests` without `rule_files`, which points at the groups). Whether every test passed, and what
 * promtool said.
 */
export async function promtoolTestRules(groups: readonly RuleGroup[], tests: Record<string, unknown>): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'promfleet-alerts-'));
  try {
    await writeFile(join(dir, 'rules.yaml'), stringify({ groups }));
    await writeFile(join(dir, 'tests.yaml'), stringify({ rule_files: ['rules.yaml'], ...tests }));
    return await run('promtool', ['test', 'rules', join(dir, 'tests.yaml')]).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: unknown) => {
        const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
        return { ok: false, output: `${message}\n${stdout}${stderr}` };
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
