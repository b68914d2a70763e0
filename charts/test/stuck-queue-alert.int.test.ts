import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { CHART_NAMES } from '../src/crd-copies.ts';
import { chartDirectory, renderChart } from './helpers/helm.ts';
import { only } from './helpers/objects.ts';

// PromfleetWorkQueueStuck as rendered by each chart, evaluated by Prometheus's own rule engine
// (`promtool test rules`) on series shaped like the ones the work queue exports: it fires for a
// worker hung on one key (client-go's longest-running processor) and for keys waiting while no
// worker works (no unfinished work), and stays quiet for a busy queue and for a standby's queue.

const run = promisify(execFile);
const ALERT = 'PromfleetWorkQueueStuck';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'promfleet-alerts-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

describe.each(CHART_NAMES)('%s PromfleetWorkQueueStuck', (chart) => {
  it('fires for a hung worker and for keys no worker takes, not for a busy queue or a standby', async () => {
    const objects = await renderChart(chart, { valuesFiles: [`${chartDirectory(chart)}/ci/monitoring-values.yaml`] });
    const groups = (only(objects, 'PrometheusRule') as unknown as { spec: { groups: { name: string; rules: Rule[] }[] } }).spec.groups;
    // The expression is under test; annotations would only make the expected alerts longer.
    const stuck = groups.map((group) => ({ ...group, rules: group.rules.filter((rule) => rule.alert === ALERT).map(({ annotations: _, ...rule }) => rule) }));
    expect(stuck.flatMap((group) => group.rules)).toHaveLength(1);

    const at = (instance: string, name: string) => `{namespace="promfleet-system",job="${chart}",instance="${instance}",name="${name}"}`;
    const labels = (instance: string, name: string) => ({ severity: 'warning', team: 'platform', namespace: 'promfleet-system', job: chart, instance, name });
    const series = [
      // hung: a worker on one key since minute 0 (one more second per second), nothing queued.
      { series: `promfleet_workqueue_longest_running_processor_seconds${at('hung', 'q')}`, values: '0+60x40' },
      { series: `promfleet_workqueue_unfinished_work_seconds${at('hung', 'q')}`, values: '0+60x40' },
      { series: `promfleet_workqueue_depth${at('hung', 'q')}`, values: '0x40' },
      { series: `promfleet_leader{namespace="promfleet-system",job="${chart}",instance="hung"}`, values: '1x40' },
      // idle: keys wait on the leader, no worker works on any.
      { series: `promfleet_workqueue_longest_running_processor_seconds${at('idle', 'q')}`, values: '0x40' },
      { series: `promfleet_workqueue_unfinished_work_seconds${at('idle', 'q')}`, values: '0x40' },
      { series: `promfleet_workqueue_depth${at('idle', 'q')}`, values: '3x40' },
      { series: `promfleet_leader{namespace="promfleet-system",job="${chart}",instance="idle"}`, values: '1x40' },
      // busy: keys wait, workers finish each in a few seconds.
      { series: `promfleet_workqueue_longest_running_processor_seconds${at('busy', 'q')}`, values: '2 5 1 3x37' },
      { series: `promfleet_workqueue_unfinished_work_seconds${at('busy', 'q')}`, values: '3 8 1 4x37' },
      { series: `promfleet_workqueue_depth${at('busy', 'q')}`, values: '40x40' },
      { series: `promfleet_leader{namespace="promfleet-system",job="${chart}",instance="busy"}`, values: '1x40' },
      // standby: its queue fills from its cache, but it never works it.
      { series: `promfleet_workqueue_longest_running_processor_seconds${at('standby', 'q')}`, values: '0x40' },
      { series: `promfleet_workqueue_unfinished_work_seconds${at('standby', 'q')}`, values: '0x40' },
      { series: `promfleet_workqueue_depth${at('standby', 'q')}`, values: '12x40' },
      { series: `promfleet_leader{namespace="promfleet-system",job="${chart}",instance="standby"}`, values: '0x40' },
    ];
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            // idle pends from minute 0 and fires once `for` (15m) has passed; hung passes 600 s at minute 11.
            { eval_time: '14m', alertname: ALERT, exp_alerts: [] },
            { eval_time: '16m', alertname: ALERT, exp_alerts: [{ exp_labels: labels('idle', 'q') }] },
            { eval_time: '27m', alertname: ALERT, exp_alerts: [{ exp_labels: labels('hung', 'q') }, { exp_labels: labels('idle', 'q') }] },
          ],
        },
      ],
    };
    const chartDir = join(dir, chart);
    await run('mkdir', ['-p', chartDir]);
    await writeFile(join(chartDir, 'rules.yaml'), stringify({ groups: stuck }));
    await writeFile(join(chartDir, 'tests.yaml'), stringify(tests));
    const result = await run('promtool', ['test', 'rules', join(chartDir, 'tests.yaml')]).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: unknown) => {
        const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
        return { ok: false, output: `${message}\n${stdout}${stderr}` };
      },
    );
    expect(result.ok, result.output).toBe(true);
  });
});
