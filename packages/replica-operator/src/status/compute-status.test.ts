import { validate, type PrometheusReplica, type PrometheusReplicaSpecInput } from '@promfleet/api';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { computeStatus, type ObservedState } from './compute-status.ts';

function replica(spec: Partial<PrometheusReplicaSpecInput> = {}, status?: PrometheusReplica['status']): PrometheusReplica {
  const result = validate('PrometheusReplica', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusReplica',
    metadata: { name: 'demo', namespace: 'monitoring', generation: 2 },
    spec: { configMap: 'c', bucketSecret: 's', ...spec },
    ...(status ? { status } : {}),
  });
  if (!result.ok) throw new Error('bad fixture');
  return result.value;
}

const set = (name: string, replicas: number, ready: number): IStatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, generation: 1 },
  spec: { replicas, selector: {}, serviceName: name, template: {} },
  status: { replicas, readyReplicas: ready, updatedReplicas: replicas, observedGeneration: 1, currentRevision: 'a', updateRevision: 'a' },
});
const deployment = (name: string, replicas: number, ready: number): IDeployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, generation: 1 },
  spec: { replicas, selector: {}, template: {} },
  status: { replicas, readyReplicas: ready, updatedReplicas: replicas, observedGeneration: 1 },
});
const pod = (name: string, component: string, phase: 'Running' | 'Failed' = 'Running', ready = phase === 'Running'): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { 'app.kubernetes.io/instance': 'demo', 'app.kubernetes.io/component': component } },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const condition = (status: ReturnType<typeof computeStatus>, type: string) => status.conditions?.find((c) => c.type === type);

function state(overrides: Partial<ObservedState> = {}): ObservedState {
  return {
    replica: replica(),
    specErrors: [],
    config: { ok: true, message: 'valid' },
    bucketSecret: { ok: true, message: 'valid' },
    applyError: undefined,
    operatorVersion: '0.1.0',
    statefulSets: [set('demo-prometheus', 1, 1), set('demo-thanos-store', 1, 1)],
    deployments: [deployment('demo-thanos-query', 1, 1)],
    ingresses: [],
    services: [],
    pods: [pod('demo-prometheus-0', 'prometheus'), pod('demo-thanos-store-0', 'thanos-store'), pod('demo-thanos-query-x', 'thanos-query')],
    clusterDomain: 'cluster.local',
    now: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('computeStatus', () => {
  it('is Running when every tier is ready and settled', () => {
    const status = computeStatus(state());
    expect(status).toMatchObject({
      phase: 'Running',
      readyPods: '3/3',
      observedGeneration: 2,
      local: { prometheus: ['demo-prometheus-0'], query: ['demo-thanos-query-x'] },
      operatorVersion: '0.1.0',
    });
  });

  it('is Pending before any workload exists and Creating while they start', () => {
    expect(computeStatus(state({ statefulSets: [], deployments: [], pods: [] })).phase).toBe('Pending');
    const creating = computeStatus(state({ statefulSets: [set('demo-prometheus', 1, 0), set('demo-thanos-store', 1, 1)] }));
    expect(creating.phase).toBe('Creating');
    expect(creating.conditions?.find((c) => c.type === 'Ready')?.message).toBe('prometheus 0/1 ready');
  });

  it('is Degraded when a Running replica loses a pod, or a pod failed', () => {
    const wasRunning = replica({}, { phase: 'Running' });
    expect(computeStatus(state({ replica: wasRunning, statefulSets: [set('demo-prometheus', 1, 0), set('demo-thanos-store', 1, 1)] })).phase).toBe('Degraded');
    expect(computeStatus(state({ deployments: [deployment('demo-thanos-query', 1, 0)], pods: [pod('q', 'thanos-query', 'Failed')] })).phase).toBe('Degraded');
  });

  it('is Failed with the input problem when the config or Secret is bad, and Paused when paused', () => {
    const failed = computeStatus(state({ bucketSecret: { ok: false, reason: 'SecretNotFound', message: 'Secret s not found' } }));
    expect(failed.phase).toBe('Failed');
    expect(failed.conditions?.find((c) => c.type === 'BucketSecretValid')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
    expect(failed.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForValidInput',
      message: 'Secret s not found',
    });
    expect(computeStatus(state({ replica: replica({ paused: true }) })).phase).toBe('Paused');
  });

  it('is not Running while a rollout is under way', () => {
    const rolling = set('demo-prometheus', 1, 1);
    rolling.status = { ...rolling.status, replicas: 1, updateRevision: 'b' };
    expect(computeStatus(state({ statefulSets: [rolling, set('demo-thanos-store', 1, 1)] })).phase).toBe('Creating');
  });

  it('reports hosts and addresses when baseDomain is set', () => {
    const status = computeStatus(
      state({
        replica: replica({ baseDomain: 'example.com', grafana: { enabled: true } }),
        deployments: [deployment('demo-thanos-query', 1, 1), deployment('demo-grafana', 1, 1)],
        ingresses: [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: 'demo' },
            status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }, { hostname: 'lb.example.net' }] } },
          },
        ],
      }),
    );
    expect(status.output).toEqual({
      query: 'http://demo-thanos-query.monitoring.svc.cluster.local:9090',
      queryHost: 'query.example.com',
      grafanaHost: 'grafana.example.com',
      addresses: ['192.0.2.11', 'lb.example.net'],
    });
    expect(status.readyPods).toBe('4/4');
  });

  it('reports the StoreAPI addresses from its LoadBalancer or admitted Ingress, and keeps them out of the query addresses', () => {
    const balanced = (entries: { ip?: string; hostname?: string }[]) => ({ loadBalancer: { ingress: entries } });
    const lb = computeStatus(
      state({
        replica: replica({ baseDomain: 'example.com', storeAPI: { expose: 'LoadBalancer' } }),
        ingresses: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'demo' }, status: balanced([{ ip: '192.0.2.11' }]) }],
        services: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'demo-store-api' },
            spec: { type: 'LoadBalancer' },
            status: balanced([{ ip: '2001:db8::10' }, { hostname: 'lb.example.net' }]),
          },
        ],
      }),
    );
    expect(lb.output?.storeAPI).toEqual(['[2001:db8::10]:10901', 'lb.example.net:10901']);
    expect(lb.output?.addresses).toEqual(['192.0.2.11']);
    const ingress = (status: { loadBalancer: object }) =>
      computeStatus(
        state({
          replica: replica({ storeAPI: { expose: 'Ingress', host: 'store-eu.example.com' } }),
          ingresses: [
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'Ingress',
              metadata: { name: 'demo-store-api' },
              spec: { rules: [{ host: 'store-eu.example.com' }] },
              status,
            },
          ],
        }),
      ).output;
    expect(ingress(balanced([{ ip: '192.0.2.12' }]))).toMatchObject({ storeAPI: ['store-eu.example.com:443'] });
    expect(ingress(balanced([]))?.storeAPI).toBeUndefined();
    expect(ingress(balanced([{ ip: '192.0.2.12' }]))?.addresses).toBeUndefined();
  });

  it('keeps Prometheus ready from its pods while its StatefulSet is recreated, so DNS does not flap', () => {
    const running = replica({}, { phase: 'Running' });
    const pods = [pod('demo-prometheus-0', 'prometheus'), pod('demo-thanos-store-0', 'thanos-store'), pod('demo-thanos-query-x', 'thanos-query')];
    const gone = computeStatus(state({ replica: running, statefulSets: [set('demo-thanos-store', 1, 1)], pods }));
    expect(gone.phase).toBe('Running');
    const terminating = set('demo-prometheus', 1, 1);
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
    expect(computeStatus(state({ replica: running, statefulSets: [terminating, set('demo-thanos-store', 1, 1)], pods })).phase).toBe('Running');
    const fresh = set('demo-prometheus', 1, 0);
    fresh.status = { replicas: 0 };
    expect(computeStatus(state({ replica: running, statefulSets: [fresh, set('demo-thanos-store', 1, 1)], pods })).phase).toBe('Running');
    // The deleted set's last status, written onto its successor by the controller's retry.
    const inherited = set('demo-prometheus', 1, 0);
    inherited.status = { observedGeneration: 2, replicas: 0, currentRevision: 'a', updateRevision: 'a' };
    expect(computeStatus(state({ replica: running, statefulSets: [inherited, set('demo-thanos-store', 1, 1)], pods })).phase).toBe('Running');
    expect(computeStatus(state({ replica: running, statefulSets: [inherited, set('demo-thanos-store', 1, 1)], pods: pods.slice(1) })).phase).toBe('Degraded');
    const rolling = [pod('demo-prometheus-0', 'prometheus', 'Running', false), ...pods.slice(1)];
    expect(computeStatus(state({ replica: running, statefulSets: [set('demo-thanos-store', 1, 1)], pods: rolling })).phase).toBe('Degraded');
  });

  it('reports rule files, what Prometheus says about its config, the claims and the Compactor', () => {
    const status = computeStatus(
      state({
        replica: replica({ rules: { configMaps: ['r'] }, storage: { size: '10Gi' } }),
        rules: { ok: false, reason: 'RulesInvalid', message: 'ConfigMap r key a.yaml: groups: must be a list' },
        configApplied: { type: 'ConfigApplied', status: 'False', reason: 'ConfigRejected', message: 'rejected' },
        storage: [{ kind: 'refused', claim: 'data-demo-prometheus-0', message: 'refused' }],
        statefulSets: [set('demo-prometheus', 1, 1), set('demo-thanos-store', 1, 1), set('demo-compactor', 1, 1)],
        pods: [...state().pods, pod('demo-compactor-0', 'thanos-compact')],
      }),
    );
    expect(status.phase).toBe('Failed');
    expect(condition(status, 'RulesValid')).toMatchObject({ status: 'False', reason: 'RulesInvalid' });
    expect(condition(status, 'ConfigApplied')).toMatchObject({ status: 'False', reason: 'ConfigRejected' });
    expect(condition(status, 'StorageUpToDate')).toMatchObject({ status: 'False', reason: 'ExpansionRefused', message: 'refused' });
    expect(condition(status, 'CompactorReady')).toMatchObject({ status: 'True', reason: 'CompactorRunning' });
    expect(status.local?.compactor).toEqual(['demo-compactor-0']);
  });

  it('drops the conditions of what the spec no longer has, and keeps the claim verdict when it was not checked', () => {
    const before = computeStatus(
      state({ replica: replica({ rules: { configMaps: ['r'] }, storage: { size: '10Gi' } }), rules: { ok: true, message: 'ok' }, storage: [] }),
    );
    expect(condition(before, 'StorageUpToDate')?.status).toBe('True');
    const unchecked = computeStatus(
      state({ replica: replica({ rules: { configMaps: ['r'] }, storage: { size: '10Gi' } }, before), rules: { ok: true, message: 'ok' } }),
    );
    expect(condition(unchecked, 'StorageUpToDate')?.status).toBe('True');
    const after = computeStatus(state({ replica: replica({ compaction: { enabled: false } }, before) }));
    expect(after.conditions?.map((c) => c.type)).toEqual(['Ready', 'Reconciled', 'ConfigValid', 'BucketSecretValid', 'PersistentStorage']);
    expect(after.local?.compactor).toBeUndefined();
  });

  it('reports the Grafana admin Secret while Grafana is enabled, fails on it like other input, and drops the condition without Grafana', () => {
    const withGrafana = replica({ grafana: { enabled: true } });
    const grafanaDeployment = deployment('demo-grafana', 1, 1);
    const missing = computeStatus(
      state({
        replica: withGrafana,
        deployments: [deployment('demo-thanos-query', 1, 1), grafanaDeployment],
        grafanaAdmin: { ok: false, reason: 'SecretKeyMissing', message: 'Secret g has no admin-password' },
      }),
    );
    expect(missing.phase).toBe('Failed');
    expect(missing.conditions?.find((c) => c.type === 'GrafanaAdminSecretValid')).toMatchObject({ status: 'False', reason: 'SecretKeyMissing' });
    expect(missing.conditions?.find((c) => c.type === 'Reconciled')?.message).toContain('Secret g has no admin-password');
    const disabled = computeStatus(state({ replica: replica({}, missing) }));
    expect(disabled.conditions?.map((c) => c.type)).not.toContain('GrafanaAdminSecretValid');
  });

  it('reports an image refusal on ConfigValid and changes nothing', () => {
    const status = computeStatus(state({ config: { ok: false, reason: 'ImageNotAllowed', message: 'spec.images.thanos: "evil.io/thanos" is not allowed' } }));
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'ConfigValid')).toMatchObject({
      status: 'False',
      reason: 'ImageNotAllowed',
      message: 'spec.images.thanos: "evil.io/thanos" is not allowed',
    });
    expect(status.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'WaitingForValidInput' });
  });
});
