import { request } from 'node:https';

import { parseMetricsText, type MetricSample, type TestCluster } from '@promfleet/testkit';

/** A controller process's /metrics (the kit's HTTP server). */
export async function controllerMetrics(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}/metrics: ${String(response.status)}`);
  return response.text();
}

/** A kube-apiserver's /metrics, read with the cluster's admin client certificate. */
export function apiServerMetrics(cluster: TestCluster): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.server}/metrics`,
      { ca: cluster.ca, cert: cluster.pki.adminCert, key: cluster.pki.adminKey, timeout: 10_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode === 200) resolve(text);
          else reject(new Error(`GET ${cluster.server}/metrics: ${String(response.statusCode)}`));
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${cluster.server}/metrics timed out`)));
    req.end();
  });
}

/** The kit's request counter: `promfleet_kube_requests_total{cluster,verb,resource,code}`. */
export function kitRequests(text: string): MetricSample[] {
  return parseMetricsText(text, ['promfleet_kube_requests_total']);
}

/** A controller's garbage collections: `promfleet_nodejs_gc_duration_seconds_{sum,count}{kind}` (prom-client's). */
export function gcDurations(text: string): MetricSample[] {
  return parseMetricsText(text, ['promfleet_nodejs_gc_duration_seconds_sum', 'promfleet_nodejs_gc_duration_seconds_count']);
}

/** The hub's roll calls (promfleet_member_roll_calls_total): every member probed at once after one stopped answering. */
export function rollCalls(text: string): number {
  return parseMetricsText(text, ['promfleet_member_roll_calls_total']).reduce((sum, sample) => sum + sample.value, 0);
}

/** kube-apiserver's request counter: `apiserver_request_total{verb,group,resource,subresource,code,...}`. */
export function apiServerRequests(text: string): MetricSample[] {
  return parseMetricsText(text, ['apiserver_request_total']);
}

/** Sums of `after - before` grouped by `key`; counters only grow, so a missing sample is zero. */
export function counterDelta(
  before: readonly MetricSample[],
  after: readonly MetricSample[],
  key: (sample: MetricSample) => string | undefined,
): Map<string, number> {
  const sums = new Map<string, number>();
  const add = (samples: readonly MetricSample[], sign: number) => {
    for (const sample of samples) {
      const k = key(sample);
      if (k !== undefined) sums.set(k, (sums.get(k) ?? 0) + sign * sample.value);
    }
  };
  add(after, 1);
  add(before, -1);
  for (const [k, value] of sums) if (value === 0) sums.delete(k);
  return sums;
}
