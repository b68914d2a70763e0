import { describe, expect, it } from 'vitest';

import { configAppliedCondition, type PodConfigState } from './config-applied.ts';

const HASH = '0123456789abcdef';
const loaded = (pod: string, overrides: Partial<Extract<PodConfigState, { state: 'loaded' }>> = {}): PodConfigState => ({
  pod,
  state: 'loaded',
  reloadSuccessful: true,
  hash: HASH,
  replicaLabel: pod,
  lastConfigTime: '2026-01-01T00:00:00Z',
  ...overrides,
});

describe('configAppliedCondition', () => {
  it('is True once every pod loaded the config it was given', () => {
    expect(configAppliedCondition([loaded('demo-prometheus-1'), loaded('demo-prometheus-0')], HASH)).toEqual({
      type: 'ConfigApplied',
      status: 'True',
      reason: 'Applied',
      message: `Prometheus loaded config ${HASH} in demo-prometheus-0, demo-prometheus-1`,
    });
  });

  it('is False when Prometheus rejected the config, and says the old one keeps serving', () => {
    const condition = configAppliedCondition(
      [loaded('demo-prometheus-0'), loaded('demo-prometheus-1', { reloadSuccessful: false, hash: 'ffffffffffffffff' })],
      HASH,
    );
    expect(condition).toMatchObject({ status: 'False', reason: 'ConfigRejected' });
    expect(condition.message).toBe(
      'Prometheus in pod demo-prometheus-1 rejected the config it was given and keeps serving the last one it loaded (at 2026-01-01T00:00:00Z); kubectl logs demo-prometheus-1 -c prometheus says why',
    );
  });

  it('is False when Prometheus cannot start, or did not expand its replica label', () => {
    expect(configAppliedCondition([{ pod: 'p-0', state: 'crashing', exitCode: 1, restarts: 3 }], HASH)).toMatchObject({
      status: 'False',
      reason: 'PrometheusNotRunning',
      message: expect.stringContaining('exited with code 1 (3 restarts)') as unknown,
    });
    expect(configAppliedCondition([loaded('p-0', { replicaLabel: '${POD_NAME}' })], HASH)).toMatchObject({ status: 'False', reason: 'ReplicaLabelWrong' });
  });

  it('is Unknown while a pod has another config, is starting, or cannot be asked', () => {
    expect(configAppliedCondition([loaded('p-0'), loaded('p-1', { hash: 'ffffffffffffffff' })], HASH)).toEqual({
      type: 'ConfigApplied',
      status: 'Unknown',
      reason: 'Pending',
      message: `waiting for pod p-1 to load config ${HASH} (it has ffffffffffffffff)`,
    });
    expect(configAppliedCondition([{ pod: 'p-0', state: 'starting' }], HASH).message).toBe('waiting for Prometheus in pod p-0 to start');
    expect(configAppliedCondition([{ pod: 'p-0', state: 'unreachable', error: '503 ServiceUnavailable' }], HASH).message).toBe(
      'could not ask Prometheus in pod p-0 through the API server: 503 ServiceUnavailable',
    );
    expect(configAppliedCondition([], HASH).status).toBe('Unknown');
    expect(configAppliedCondition([loaded('p-0')], undefined).status).toBe('Unknown');
  });
});
