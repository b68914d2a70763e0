import { describe, expect, it } from 'vitest';

import { CHART_NAMES } from '../src/crd-copies.ts';
import { promtoolTestRules, renderedAlert } from './helpers/rule-tests.ts';

// PromfleetWorkQueueStuck as rendered by each chart, evaluated by Prometheus's own rule engine
// (`promtool test rules`) on series shaped like the ones the work queue exports: it fires for a
// worker hung on one key (client-go's longest-running processor) and for keys waiting while no
// worker works (no unfinished work), and stays quiet for a busy queue and for a standby's queue.

const ALERT = 'PromfleetWorkQueueStuck';

describe.each(CHART_NAMES)('%s PromfleetWorkQueueStuck', (chart) => {
  it('fires for a hung worker and for keys no worker takes, not for a busy queue or a standby', async () => {
    const stuck = await renderedAlert(chart, ALERT);
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
    const result = await promtoolTestRules(stuck, tests);
    expect(result.ok, result.output).toBe(true);
  });
});
