import { describe, expect, it } from 'vitest';

import { BAD_IMAGE_MARKER, desiredPodStatus, FAIL_ANNOTATION, podStatusMatches, UNREADY_ANNOTATION, type Pod } from './pod-status.ts';

const network = { podIP: '10.244.1.7', hostIP: '10.240.1.1' };
const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:05:00Z';

function pod(annotations: Record<string, string> = {}, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', annotations },
    spec: {
      nodeName: 'testkit-eu',
      containers: [
        { name: 'prometheus', image: 'prom:1' },
        { name: 'sidecar', image: 'thanos:1' },
      ],
      ...extra,
    },
  };
}

const conditions = (status: ReturnType<typeof desiredPodStatus>): Record<string, string> =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));

describe('desiredPodStatus', () => {
  it('reports a pod running and ready, every container started', () => {
    const status = desiredPodStatus(pod(), network, T0);
    expect(status).toMatchObject({ phase: 'Running', podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }], hostIP: '10.240.1.1', startTime: T0 });
    expect(conditions(status)).toEqual({ PodScheduled: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True' });
    expect(status.containerStatuses?.map((c) => [c.name, c.image, c.ready, c.started, c.restartCount, c.state.running?.startedAt])).toEqual([
      ['prometheus', 'prom:1', true, true, 0, T0],
      ['sidecar', 'thanos:1', true, true, 0, T0],
    ]);
  });

  it('reports an unready pod running with unready containers', () => {
    const status = desiredPodStatus(pod({ [UNREADY_ANNOTATION]: 'true' }), network, T0);
    expect(status.phase).toBe('Running');
    expect(conditions(status)).toMatchObject({ ContainersReady: 'False', Ready: 'False' });
    expect(status.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('ContainersNotReady');
    expect(status.containerStatuses?.every((c) => !c.ready && c.started === true && c.state.running)).toBe(true);
  });

  it('never reports a pod with a bad image ready', () => {
    const status = desiredPodStatus(
      pod({}, { containers: [{ name: 'prometheus', image: `quay.io/prometheus/prometheus:v0-${BAD_IMAGE_MARKER}` }] }),
      network,
      T0,
    );
    expect(conditions(status)).toMatchObject({ Ready: 'False', ContainersReady: 'False' });
  });

  it('reports a failing pod Failed with containers exited 1', () => {
    const status = desiredPodStatus(pod({ [FAIL_ANNOTATION]: 'true', [UNREADY_ANNOTATION]: 'true' }), network, T0);
    expect(status.phase).toBe('Failed');
    expect(conditions(status)).toMatchObject({ ContainersReady: 'False', Ready: 'False' });
    expect(status.containerStatuses?.map((c) => c.state.terminated?.exitCode)).toEqual([1, 1]);
  });

  it('reports what the containers it runs do: not ready until they are, restarts and the last exit', () => {
    const crashing = {
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      restartCount: 2,
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: T0 } },
    };
    const status = desiredPodStatus(pod(), network, T0, { prometheus: crashing });
    expect(conditions(status)).toMatchObject({ ContainersReady: 'False', Ready: 'False' });
    expect(status.containerStatuses?.[0]).toMatchObject({
      name: 'prometheus',
      ready: false,
      started: false,
      restartCount: 2,
      state: crashing.state,
      lastState: crashing.lastState,
    });
    expect(status.containerStatuses?.[1]).toMatchObject({ name: 'sidecar', ready: true });
    const running = desiredPodStatus({ ...pod(), status }, network, T1, {
      prometheus: { ready: true, state: { running: { startedAt: T1 } }, restartCount: 2 },
    });
    expect(conditions(running)).toMatchObject({ Ready: 'True' });
    expect(podStatusMatches(status, running)).toBe(false);
  });

  it('reports init containers completed', () => {
    const status = desiredPodStatus(pod({}, { initContainers: [{ name: 'init', image: 'busybox' }] }), network, T0);
    expect(status.initContainerStatuses?.map((c) => [c.name, c.ready, c.state.terminated?.exitCode, c.state.terminated?.reason])).toEqual([
      ['init', true, 0, 'Completed'],
    ]);
  });

  it('keeps the timestamps of what did not change, and moves those of what did', () => {
    const first = desiredPodStatus(pod(), network, T0);
    const again = desiredPodStatus({ ...pod(), status: first }, network, T1);
    expect(again).toEqual(first);
    const unready = desiredPodStatus({ ...pod({ [UNREADY_ANNOTATION]: 'true' }), status: first }, network, T1);
    expect(unready.startTime).toBe(T0);
    expect(unready.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(T1);
    expect(unready.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime).toBe(T0);
  });

  it('keeps conditions other controllers own', () => {
    const gate = { type: 'example.com/gate', status: 'True' as const };
    const status = desiredPodStatus({ ...pod(), status: { conditions: [gate] } }, network, T0);
    expect(status.conditions).toContainEqual(gate);
  });
});

describe('podStatusMatches', () => {
  it('matches a status written before, whatever the clock says now', () => {
    const written = desiredPodStatus(pod(), network, T0);
    expect(podStatusMatches(written, desiredPodStatus({ ...pod(), status: written }, network, T1))).toBe(true);
  });

  it('does not match a pending pod, another outcome, or another address', () => {
    const written = desiredPodStatus(pod(), network, T0);
    expect(podStatusMatches(undefined, written)).toBe(false);
    expect(podStatusMatches({ phase: 'Pending' }, written)).toBe(false);
    expect(podStatusMatches(written, desiredPodStatus({ ...pod({ [UNREADY_ANNOTATION]: 'true' }), status: written }, network, T1))).toBe(false);
    expect(podStatusMatches(written, desiredPodStatus({ ...pod({ [FAIL_ANNOTATION]: 'true' }), status: written }, network, T1))).toBe(false);
    expect(podStatusMatches(written, desiredPodStatus(pod(), { ...network, podIP: '10.244.1.8' }, T1))).toBe(false);
  });

  it('does not match when a container was added to the spec', () => {
    const written = desiredPodStatus(pod(), network, T0);
    const grown = pod({}, { containers: [...pod().spec.containers, { name: 'grafana', image: 'grafana:1' }] });
    expect(podStatusMatches(written, desiredPodStatus({ ...grown, status: written }, network, T1))).toBe(false);
  });
});
