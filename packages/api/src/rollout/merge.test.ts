import { describe, expect, it } from 'vitest';

import { validate } from '../validate.ts';
import { memberTemplate, mergeValues } from './merge.ts';
import { resolveMemberPlaceholders } from './placeholders.ts';

/** A PrometheusCluster spec as the hub holds it: parsed, defaults applied. */
function spec(extra: Record<string, unknown>) {
  const parsed = validate('PrometheusCluster', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'demo', namespace: 'platform' },
    spec: { clusterSelector: {}, configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...extra },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value.spec;
}

const eu = { name: 'eu-1', labels: { region: 'eu', tier: 'canary', 'topology.kubernetes.io/zone': 'eu-1a' } };
const us = { name: 'us-1', labels: { region: 'us' } };

const CASES: Record<string, { spec: Record<string, unknown>; member: typeof eu | typeof us }> = {
  'no-overrides': { spec: {}, member: eu },
  'region-retention-and-label': {
    spec: {
      externalLabels: { team: 'platform' },
      overrides: [
        {
          name: 'eu-retention',
          clusterSelector: { matchLabels: { region: 'eu' } },
          template: { metrics: { retention: '30d' }, externalLabels: { region: '{{ member.labels.region }}' } },
        },
      ],
    },
    member: eu,
  },
  'override-not-matching': {
    spec: { overrides: [{ name: 'eu-retention', clusterSelector: { matchLabels: { region: 'eu' } }, template: { metrics: { retention: '30d' } } }] },
    member: us,
  },
  'later-wins-maps-merge-lists-replace': {
    spec: {
      resources: { prometheus: { requests: { cpu: '1', memory: '2Gi' } } },
      alertmanagers: [{ targets: ['am-a:9093', 'am-b:9093'] }],
      overrides: [
        { name: 'first', clusterSelector: {}, template: { resources: { prometheus: { requests: { memory: '4Gi' } } }, highlyAvailable: true } },
        {
          name: 'second',
          clusterSelector: { matchLabels: { tier: 'canary' } },
          template: { resources: { prometheus: { requests: { memory: '8Gi' } } }, alertmanagers: [{ targets: ['am-canary:9093'] }] },
        },
      ],
    },
    member: eu,
  },
  'member-name-and-dotted-label-key': {
    spec: { externalLabels: { member: '{{ member.name }}', zone: '{{member.labels.topology.kubernetes.io/zone}}', raw: '{{ not.a.member }} stays' } },
    member: eu,
  },
  'error-placeholder-label-missing': {
    spec: { overrides: [{ clusterSelector: {}, template: { externalLabels: { tier: '{{ member.labels.tier }}' } } }] },
    member: us,
  },
  'error-unknown-placeholder': { spec: { externalLabels: { owner: '{{ member.namespace }}' } }, member: us },
  'error-merged-retention-too-short': {
    spec: {
      metrics: { retention: '30d', blockDuration: '2h' },
      overrides: [{ name: 'short', clusterSelector: { matchLabels: { region: 'eu' } }, template: { metrics: { blockDuration: '12d' } } }],
    },
    member: eu,
  },
  'error-base-field-named-when-no-override-set-it': {
    spec: { metrics: { retention: '6h' }, overrides: [{ name: 'big', clusterSelector: {}, template: { metrics: { blockDuration: '3h' } } }] },
    member: eu,
  },
  'error-override-retention-too-short': {
    spec: { overrides: [{ name: 'eu-short', clusterSelector: { matchLabels: { region: 'eu' } }, template: { metrics: { retention: '5h' } } }] },
    member: eu,
  },
  'image-from-member-label': {
    spec: {
      overrides: [
        { name: 'mirror', clusterSelector: {}, template: { images: { prometheus: 'registry.{{member.labels.region}}.example.com/prometheus:v3.5.0' } } },
      ],
    },
    member: us,
  },
};

describe('memberTemplate', () => {
  for (const [name, { spec: extra, member }] of Object.entries(CASES)) {
    it(`${name} (golden)`, async () => {
      const result = memberTemplate(spec(extra), member);
      expect(result.ok).toBe(!name.startsWith('error-'));
      await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(`../../test/golden/merge/${name}.json`);
    });
  }

  it('gives the region override its retention and label, and leaves the base default for the rest', () => {
    const result = memberTemplate(spec(CASES['region-retention-and-label']?.spec ?? {}), eu);
    expect(result).toMatchObject({
      ok: true,
      overrides: ['eu-retention'],
      template: { metrics: { retention: '30d', blockDuration: '2h' }, externalLabels: { team: 'platform', region: 'eu' } },
    });
  });

  it('names the override that set an invalid value', () => {
    const result = memberTemplate(spec(CASES['error-override-retention-too-short']?.spec ?? {}), eu);
    expect(result.ok ? undefined : result.error.path).toBe('spec.overrides[0].template.metrics.retention');
  });

  it("names the overrides merged in when the field is the base's", () => {
    const result = memberTemplate(spec(CASES['error-merged-retention-too-short']?.spec ?? {}), eu);
    expect(result.ok ? undefined : result.error).toEqual({
      path: 'spec.metrics.retention',
      message: '30d must be at least 3 x blockDuration (3 x 12d) (merged with overrides: short)',
    });
  });
});

describe('mergeValues', () => {
  it('merges objects by key, replaces lists and scalars, and keeps the base where the override says nothing', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true })).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: true });
    expect(mergeValues({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(mergeValues([1, 2], [3])).toEqual([3]);
  });
});

describe('resolveMemberPlaceholders', () => {
  it('resolves several placeholders in one string and leaves the reloader syntax alone', () => {
    expect(resolveMemberPlaceholders('$(POD_NAME)-{{ member.name }}-{{member.labels.region}}', eu)).toEqual({ ok: true, value: '$(POD_NAME)-eu-1-eu' });
  });

  it('refuses a label the member does not have, naming it', () => {
    expect(resolveMemberPlaceholders('{{ member.labels.zone }}', us)).toEqual({
      ok: false,
      path: [],
      message: '{{ member.labels.zone }}: member us-1 has no label "zone"',
    });
  });

  it('does not read inherited properties as labels', () => {
    expect(resolveMemberPlaceholders('{{ member.labels.constructor }}', us).ok).toBe(false);
  });
});
