import { createHash } from 'node:crypto';

import type { NamedObject } from '../fakes/fake-controller.ts';
import type { PodVolume, VolumeMount } from './runtime/volumes.ts';

/** Annotation that makes the fake kubelet report the pod `Failed`, its containers exited 1. */
export const FAIL_ANNOTATION = 'testkit.promfleet.io/fail';
/** Annotation that makes the fake kubelet report the pod `Running` but not Ready. */
export const UNREADY_ANNOTATION = 'testkit.promfleet.io/unready';

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts?: VolumeMount[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState?: ContainerState;
}

/** What a container really does, for those the kubelet runs as processes. */
export interface ContainerReport {
  readonly ready: boolean;
  readonly state: ContainerState;
  readonly restartCount: number;
  readonly lastState?: ContainerState | undefined;
}

export interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  startTime?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** A Pod as the API server sends it, reduced to what the fake kubelet reads. */
export interface Pod extends NamedObject {
  spec: { nodeName?: string; containers: Container[]; initContainers?: Container[]; volumes?: PodVolume[]; terminationGracePeriodSeconds?: number };
  status?: PodStatus;
}

export type PodOutcome = 'ready' | 'unready' | 'failed';

/** An image whose reference contains this never gets ready (a bad image, as far as the tests care): a bad rollout. */
export const BAD_IMAGE_MARKER = 'testkit-bad-image';

export function podOutcome(pod: Pod): PodOutcome {
  const annotations = pod.metadata.annotations ?? {};
  if (annotations[FAIL_ANNOTATION] === 'true') return 'failed';
  if (annotations[UNREADY_ANNOTATION] === 'true') return 'unready';
  if (pod.spec.containers.some((container) => container.image?.includes(BAD_IMAGE_MARKER) === true)) return 'unready';
  return 'ready';
}

const OWN_CONDITIONS = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'];

/**
 * The status a kubelet would report for a pod whose containers all started: Running and Ready,
 * Running but not Ready, or Failed, as its annotations ask. Timestamps already in `current`
 * are kept, so writing the same outcome twice yields the same status.
 */
export function desiredPodStatus(
  pod: Pod,
  network: { podIP: string; hostIP: string },
  now: string,
  reports: Readonly<Record<string, ContainerReport>> = {},
): PodStatus {
  const current = pod.status ?? {};
  const outcome = podOutcome(pod);
  const startTime = current.startTime ?? now;
  const containersReady = outcome === 'ready' && Object.values(reports).every((report) => report.ready);
  const notReady = {
    reason: outcome === 'failed' ? 'PodCompleted' : 'ContainersNotReady',
    message: `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`,
  };
  const condition = (type: string, ok: boolean, why?: { reason: string; message: string }): PodCondition => {
    const previous = current.conditions?.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    return { type, status, ...why, lastProbeTime: null, lastTransitionTime: previous?.status === status ? (previous.lastTransitionTime ?? now) : now };
  };
  const foreign = (current.conditions ?? []).filter((c) => !OWN_CONDITIONS.includes(c.type));
  return {
    phase: outcome === 'failed' ? 'Failed' : 'Running',
    hostIP: network.hostIP,
    podIP: network.podIP,
    podIPs: [{ ip: network.podIP }],
    startTime,
    conditions: [
      condition('Initialized', true),
      condition('Ready', containersReady, containersReady ? undefined : notReady),
      condition('ContainersReady', containersReady, containersReady ? undefined : notReady),
      condition('PodScheduled', true),
      ...foreign,
    ],
    ...(pod.spec.initContainers?.length
      ? { initContainerStatuses: pod.spec.initContainers.map((c) => containerStatus(pod, c, current.initContainerStatuses, 'completed', startTime)) }
      : {}),
    containerStatuses: pod.spec.containers.map((c) => {
      const report = outcome === 'failed' ? undefined : reports[c.name];
      if (report) return reportedStatus(pod, c, report);
      return containerStatus(pod, c, current.containerStatuses, outcome === 'failed' ? 'failed' : outcome === 'ready' ? 'ready' : 'unready', now);
    }),
  };
}

function containerStatus(
  pod: Pod,
  container: Container,
  current: ContainerStatus[] | undefined,
  state: 'ready' | 'unready' | 'failed' | 'completed',
  now: string,
): ContainerStatus {
  const previous = current?.find((c) => c.name === container.name)?.state;
  const image = container.image ?? '';
  const base = {
    name: container.name,
    image,
    imageID: `sha256:${sha256(image)}`,
    containerID: `containerd://${sha256(`${pod.metadata.uid ?? ''}/${container.name}`)}`,
    restartCount: 0,
  };
  if (state === 'ready' || state === 'unready') {
    return { ...base, ready: state === 'ready', started: true, state: { running: { startedAt: previous?.running?.startedAt ?? now } } };
  }
  const exitCode = state === 'failed' ? 1 : 0;
  const terminated = previous?.terminated?.exitCode === exitCode ? previous.terminated : undefined;
  return {
    ...base,
    ready: state === 'completed',
    started: false,
    state: {
      terminated: {
        exitCode,
        reason: state === 'failed' ? 'Error' : 'Completed',
        startedAt: terminated?.startedAt ?? now,
        finishedAt: terminated?.finishedAt ?? now,
      },
    },
  };
}

function reportedStatus(pod: Pod, container: Container, report: ContainerReport): ContainerStatus {
  const image = container.image ?? '';
  return {
    name: container.name,
    image,
    imageID: `sha256:${sha256(image)}`,
    containerID: `testkit://${sha256(`${pod.metadata.uid ?? ''}/${container.name}/${String(report.restartCount)}`)}`,
    ready: report.ready,
    started: report.state.running !== undefined,
    restartCount: report.restartCount,
    state: report.state,
    ...(report.lastState ? { lastState: report.lastState } : {}),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether `current` already says what `desired` says (timestamps aside). */
export function podStatusMatches(current: PodStatus | undefined, desired: PodStatus): boolean {
  if (!current) return false;
  const conditions = (status: PodStatus): string[] => (status.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();
  return (
    current.phase === desired.phase &&
    current.podIP === desired.podIP &&
    current.hostIP === desired.hostIP &&
    current.startTime !== undefined &&
    sameList(conditions(current), conditions(desired)) &&
    sameList(containerSummary(current.containerStatuses), containerSummary(desired.containerStatuses)) &&
    sameList(containerSummary(current.initContainerStatuses), containerSummary(desired.initContainerStatuses))
  );
}

function containerSummary(statuses: ContainerStatus[] | undefined): string[] {
  return (statuses ?? []).map((s) => {
    const state = s.state.running
      ? 'running'
      : s.state.terminated
        ? `exited ${String(s.state.terminated.exitCode)}`
        : `waiting ${s.state.waiting?.reason ?? ''}`;
    return `${s.name} ${s.image} ready=${String(s.ready)} started=${String(s.started)} restarts=${String(s.restartCount)} ${state}`;
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
