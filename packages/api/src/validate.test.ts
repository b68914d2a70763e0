import { describe, expect, it } from 'vitest';

import { formatFieldError, formatPath, validate } from './validate.ts';

describe('formatPath', () => {
  it('writes paths the way a user types them', () => {
    expect(formatPath(['spec', 'metrics', 'retention'])).toBe('spec.metrics.retention');
    expect(formatPath(['spec', 'clusterSelector', 'matchExpressions', 0, 'values'])).toBe('spec.clusterSelector.matchExpressions[0].values');
    expect(formatPath(['metadata', 'labels', 'promfleet.io/member'])).toBe('metadata.labels["promfleet.io/member"]');
    expect(formatPath([])).toBe('');
  });
});

describe('validate', () => {
  it('says a field is required rather than what type undefined is not', () => {
    const result = validate('MemberCluster', { apiVersion: 'promfleet.io/v1alpha1', kind: 'MemberCluster', metadata: { name: 'eu' }, spec: {} });
    expect(result.ok ? [] : result.errors.map(formatFieldError)).toEqual(['spec.kubeconfigSecretRef: is required']);
  });

  it('rejects an object of another kind at kind', () => {
    const result = validate('PrometheusCluster', { apiVersion: 'promfleet.io/v1alpha1', kind: 'PrometheusReplica', metadata: { name: 'x' }, spec: {} });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toContain('kind');
  });

  it('reports every error at once, not the first', () => {
    const result = validate('PrometheusReplica', {
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusReplica',
      metadata: { name: 'demo' },
      spec: { metrics: { retention: '1x', blockDuration: '2y2y' }, externalLabels: { replica: 'a' } },
    });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual([
      'spec.configMap',
      'spec.metrics.retention',
      'spec.metrics.blockDuration',
      'spec.bucketSecret',
      'spec.externalLabels.replica',
    ]);
  });

  it('keeps unknown metadata and status fields it does not own', () => {
    const result = validate('MemberCluster', {
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'MemberCluster',
      metadata: { name: 'eu', managedFields: [{ manager: 'x' }] },
      spec: { kubeconfigSecretRef: { name: 's' } },
      status: { kubernetesVersion: 'v1.30.0', extra: true },
    });
    expect(result.ok && result.value.metadata.managedFields).toEqual([{ manager: 'x' }]);
  });
});
