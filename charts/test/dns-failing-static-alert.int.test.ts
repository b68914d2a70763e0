import { describe, expect, it } from 'vitest';

import { promtoolTestRules, renderedAlert } from './helpers/rule-tests.ts';

// PromfleetDNSFailingStatic as the hub chart renders it, evaluated by Prometheus's own rule engine
// (`promtool test rules`) on series shaped like the hub's gauge once scraped through a
// ServiceMonitor (its `namespace` label becomes `exported_namespace`): it fires for a
// PrometheusCluster that fails static for longer than `for`, once per PrometheusCluster, and
// stays quiet for a short blip and for a cluster publishing normally.

const ALERT = 'PromfleetDNSFailingStatic';
const CHART = 'promfleet-hub' as const;

describe(`${CHART} ${ALERT}`, () => {
  it('fires per PrometheusCluster failing static past its `for`, not for a blip or a cluster publishing normally', async () => {
    const failing = await renderedAlert(CHART, ALERT);
    expect(failing.flatMap((group) => group.rules)).toHaveLength(1);

    const series = (instance: string, cluster: string) =>
      `promfleet_dns_failing_static{namespace="promfleet-system",job="${CHART}",instance="${instance}",exported_namespace="platform",name="${cluster}"}`;
    const labels = (cluster: string) => ({
      severity: 'critical',
      team: 'platform',
      namespace: 'promfleet-system',
      exported_namespace: 'platform',
      name: cluster,
    });
    const tests = {
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: [
            // cut off from minute 1 to minute 6; a new leader (another instance) takes over at minute 4.
            { series: series('hub-0', 'cut'), values: '0 0 1 1 1 1 1 1 stale' },
            { series: series('hub-1', 'cut'), values: '_x7 1 1 1 1 1 0x8' },
            // a blip of one minute.
            { series: series('hub-0', 'blip'), values: '0 0 0 0 1 1 0x14' },
            // publishing normally throughout.
            { series: series('hub-0', 'steady'), values: '0x20' },
          ],
          alert_rule_test: [
            { eval_time: '2m', alertname: ALERT, exp_alerts: [] },
            // `for: 2m` from minute 1: firing by minute 3, still through the failover at minute 4.
            { eval_time: '3m30s', alertname: ALERT, exp_alerts: [{ exp_labels: labels('cut') }] },
            { eval_time: '5m', alertname: ALERT, exp_alerts: [{ exp_labels: labels('cut') }] },
            { eval_time: '7m', alertname: ALERT, exp_alerts: [] },
          ],
        },
      ],
    };
    const result = await promtoolTestRules(failing, tests);
    expect(result.ok, result.output).toBe(true);
  });
});
