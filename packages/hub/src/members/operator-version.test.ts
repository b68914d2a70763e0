import type { PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { reportedOperatorVersion } from './operator-version.ts';

const replica = (operatorVersion?: unknown): PrometheusReplica =>
  ({
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusReplica',
    metadata: { name: 'r', namespace: 'monitoring' },
    spec: { configMap: 'c', bucketSecret: 'b' },
    ...(operatorVersion === undefined ? {} : { status: { operatorVersion } }),
  }) as unknown as PrometheusReplica;

describe('reportedOperatorVersion', () => {
  it('is the one version every replica reports', () => {
    expect(reportedOperatorVersion([replica('0.1.0'), replica('0.1.0')])).toBe('0.1.0');
  });

  it('lists the versions of a rolling upgrade in version order', () => {
    expect(reportedOperatorVersion([replica('0.10.0'), replica('0.9.1'), replica('0.9.1')])).toBe('0.9.1, 0.10.0');
  });

  it('is undefined while nothing reports one (no replicas, or an operator older than the field)', () => {
    expect(reportedOperatorVersion([])).toBeUndefined();
    expect(reportedOperatorVersion([replica()])).toBeUndefined();
  });

  it('ignores what a hostile member writes instead of a version, and bounds how much it shows', () => {
    expect(reportedOperatorVersion([replica('0.1.0\n\u001b[2J'), replica(7), replica({ nested: true }), replica('x'.repeat(65)), replica('0.1.0')])).toBe(
      '0.1.0',
    );
    expect(reportedOperatorVersion(['1', '2', '3', '4', '5'].map((major) => replica(`${major}.0.0`)))).toBe('1.0.0, 2.0.0, 3.0.0, …');
  });
});
