import { describe, expect, it } from 'vitest';

import { parseMetricsText } from './metrics-text.ts';

const TEXT = `# HELP promfleet_kube_requests_total Requests.
# TYPE promfleet_kube_requests_total counter
promfleet_kube_requests_total{cluster="hub",verb="apply",resource="prometheusclusters",code="200"} 13
promfleet_leader{lease="promfleet-system/promfleet-hub"} 1
apiserver_request_total{code="200",verb="GET",resource="a\\"b\\nc"} 2.5e+01
process_resident_memory_bytes 123456
`;

describe('parseMetricsText', () => {
  it('reads every sample with its labels and value, skipping comments', () => {
    expect(parseMetricsText(TEXT)).toEqual([
      { name: 'promfleet_kube_requests_total', labels: { cluster: 'hub', verb: 'apply', resource: 'prometheusclusters', code: '200' }, value: 13 },
      { name: 'promfleet_leader', labels: { lease: 'promfleet-system/promfleet-hub' }, value: 1 },
      { name: 'apiserver_request_total', labels: { code: '200', verb: 'GET', resource: 'a"b\nc' }, value: 25 },
      { name: 'process_resident_memory_bytes', labels: {}, value: 123456 },
    ]);
  });

  it('keeps only the metrics asked for', () => {
    expect(parseMetricsText(TEXT, ['promfleet_leader', 'process_resident_memory_bytes']).map((sample) => sample.name)).toEqual([
      'promfleet_leader',
      'process_resident_memory_bytes',
    ]);
  });
});
