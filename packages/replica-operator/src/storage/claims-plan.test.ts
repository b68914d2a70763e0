import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPersistentVolumeClaim, IPod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { immutableChanges, planClaims, podsWithoutClaims, refusalKey } from './claims-plan.ts';

const set = (storage: string | undefined, storageClassName?: string, extra: Partial<NonNullable<IStatefulSet['spec']>> = {}): IStatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'demo-prometheus' },
  spec: {
    serviceName: 'demo-thanos-sidecar',
    podManagementPolicy: 'Parallel',
    selector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'demo' } },
    template: {},
    ...(storage
      ? {
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...(storageClassName ? { storageClassName } : {}) },
            },
          ],
        }
      : {}),
    ...extra,
  },
});
const claim = (name: string, storage: string, options: { class?: string; capacity?: string; uid?: string } = {}): IPersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, uid: options.uid ?? `uid-${name}` },
  spec: { resources: { requests: { storage } }, ...(options.class ? { storageClassName: options.class } : {}) },
  ...(options.capacity ? { status: { phase: 'Bound', capacity: { storage: options.capacity } } } : {}),
});

describe('immutableChanges', () => {
  it('sees claim template changes the API server refuses, and nothing else', () => {
    expect(immutableChanges(set('10Gi'), set('10Gi'))).toEqual([]);
    expect(immutableChanges(set('10Gi'), set('10240Mi'))).toEqual([]);
    expect(immutableChanges(set('20Gi'), set('10Gi'))).toEqual(['volumeClaimTemplates']);
    expect(immutableChanges(set('10Gi', 'fast'), set('10Gi', 'slow'))).toEqual(['volumeClaimTemplates']);
    expect(immutableChanges(set('10Gi'), set(undefined))).toEqual(['volumeClaimTemplates']);
    expect(immutableChanges(set(undefined), set('10Gi'))).toEqual(['volumeClaimTemplates']);
    expect(immutableChanges(set(undefined, undefined, { podManagementPolicy: 'OrderedReady' }), set(undefined))).toEqual(['podManagementPolicy']);
  });

  it('ignores the order the API server returns label keys in', () => {
    const live = set(undefined, undefined, { selector: { matchLabels: { 'app.kubernetes.io/instance': 'demo', 'app.kubernetes.io/name': 'prometheus' } } });
    expect(immutableChanges(set(undefined), live)).toEqual([]);
  });
});

describe('planClaims', () => {
  it('resizes smaller claims of every ordinal, also ones scaled away, and leaves matching ones alone', () => {
    const claims = [
      claim('data-demo-prometheus-0', '10Gi'),
      claim('data-demo-prometheus-3', '10Gi'),
      claim('data-demo-prometheus-1', '20Gi'),
      claim('data-other-prometheus-0', '1Gi'),
      claim('data-demo-prometheus-x', '1Gi'),
    ];
    expect(planClaims(set('20Gi'), claims, new Map())).toEqual({
      resize: [
        { claim: 'data-demo-prometheus-0', uid: 'uid-data-demo-prometheus-0', from: '10Gi', to: '20Gi' },
        { claim: 'data-demo-prometheus-3', uid: 'uid-data-demo-prometheus-3', from: '10Gi', to: '20Gi' },
      ],
      problems: [],
    });
  });

  it('reports a refused resize, a shrink, another class and a resize in progress', () => {
    const refused = new Map([[refusalKey('uid-data-demo-prometheus-0', '20Gi'), 'forbidden: only dynamically provisioned pvc can be resized']]);
    expect(planClaims(set('20Gi'), [claim('data-demo-prometheus-0', '10Gi')], refused).problems).toEqual([
      {
        kind: 'refused',
        claim: 'data-demo-prometheus-0',
        message:
          'claim data-demo-prometheus-0 stays 10Gi, the API server refused to expand it to 20Gi: forbidden: only dynamically provisioned pvc can be resized',
      },
    ]);
    expect(planClaims(set('5Gi'), [claim('data-demo-prometheus-0', '10Gi')], new Map()).problems[0]?.kind).toBe('shrink');
    expect(planClaims(set('10Gi', 'fast'), [claim('data-demo-prometheus-0', '10Gi', { class: 'slow' })], new Map()).problems[0]?.message).toBe(
      'claim data-demo-prometheus-0 keeps StorageClass slow (the template asks for fast): a class cannot change in place; new claims get fast',
    );
    expect(planClaims(set('20Gi'), [claim('data-demo-prometheus-0', '20Gi', { capacity: '10Gi' })], new Map()).problems[0]?.kind).toBe('resizing');
    expect(planClaims(set('20Gi'), [claim('data-demo-prometheus-0', '20Gi', { capacity: '20Gi' })], new Map()).problems).toEqual([]);
  });
});

describe('podsWithoutClaims', () => {
  const pod = (name: string, volumes: NonNullable<NonNullable<IPod['spec']>['volumes']>): IPod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [], volumes },
  });
  it('finds the pods that lack a claim of the templates, and only pods of the set', () => {
    const pods = [
      pod('demo-prometheus-0', [{ name: 'data', emptyDir: {} }]),
      pod('demo-prometheus-1', [{ name: 'data', persistentVolumeClaim: { claimName: 'data-demo-prometheus-1' } }]),
      pod('demo-prometheus-x', [{ name: 'data', emptyDir: {} }]),
    ];
    expect(podsWithoutClaims(set('10Gi'), pods).map((p) => p.metadata?.name)).toEqual(['demo-prometheus-0']);
    expect(podsWithoutClaims(set(undefined), pods)).toEqual([]);
  });
});
