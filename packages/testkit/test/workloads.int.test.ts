import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod, type V1PodTemplateSpec, type V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FAIL_ANNOTATION, startFleet, UNREADY_ANNOTATION, type Fleet, type TestCluster } from '../src/index.ts';
import { eventually, model } from './support.ts';

// The real controller-manager on top of the fake kubelet: workload controllers see pods become
// Ready, and keep Deployment and StatefulSet status true.

let fleet: Fleet;
let cluster: TestCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
const namespace = 'default';

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['work'], controllerManager: true });
  cluster = fleet.cluster('work');
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await fleet.stop();
});

const template = (app: string, image: string): V1PodTemplateSpec =>
  model<V1PodTemplateSpec>({
    metadata: { labels: { app } },
    spec: {
      containers: [
        { name: 'main', image },
        { name: 'sidecar', image: 'thanos:1' },
      ],
    },
  });

async function podsOf(app: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

async function createPod(name: string, annotations: Record<string, string> = {}): Promise<void> {
  await core.createNamespacedPod({
    namespace,
    body: model<V1Pod>({ metadata: { name, annotations }, spec: { containers: [{ name: 'main', image: 'busybox:1' }] } }),
  });
}

function podWhen(name: string, until: (pod: V1Pod) => boolean): Promise<V1Pod> {
  return eventually(`pod ${name}`, async () => {
    const pod = await core.readNamespacedPod({ name, namespace });
    return until(pod) ? pod : undefined;
  });
}

describe('the fake kubelet under a real controller-manager', () => {
  it('registers a Ready node with room for pods', async () => {
    const node = await core.readNode({ name: 'testkit-work' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.allocatable?.pods).toBe('512');
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '10.240.0.1' });
  });

  it('runs a StatefulSet to readyReplicas 2, then completes a rolling update', async () => {
    const selector = { matchLabels: { app: 'prometheus' } };
    await apps.createNamespacedStatefulSet({
      namespace,
      body: model<V1StatefulSet>({
        metadata: { name: 'prometheus' },
        spec: { replicas: 2, serviceName: 'prometheus', selector, template: template('prometheus', 'prometheus:1') },
      }),
    });
    const ready = await eventually('statefulset ready', async () => {
      const set = await apps.readNamespacedStatefulSet({ name: 'prometheus', namespace });
      return set.status?.readyReplicas === 2 ? set : undefined;
    });
    expect(ready.status?.replicas).toBe(2);
    const pods = await podsOf('prometheus');
    expect(pods.map((pod) => pod.metadata?.name).sort()).toEqual(['prometheus-0', 'prometheus-1']);
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toBe('testkit-work');
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.hostIP).toBe('10.240.0.1');
      expect(pod.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);
      expect(pod.status?.startTime).toBeDefined();
      expect(pod.status?.containerStatuses?.map((c) => [c.name, c.ready, c.started, c.restartCount, c.state?.running !== undefined])).toEqual([
        ['main', true, true, 0, true],
        ['sidecar', true, true, 0, true],
      ]);
      expect(pod.status?.conditions?.map((c) => `${c.type}=${c.status}`).sort()).toEqual([
        'ContainersReady=True',
        'Initialized=True',
        'PodScheduled=True',
        'Ready=True',
      ]);
    }
    expect(new Set(pods.map((pod) => pod.status?.podIP)).size).toBe(2);

    const before = new Set(pods.map((pod) => pod.metadata?.uid));
    await apps.patchNamespacedStatefulSet({
      name: 'prometheus',
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'prometheus:2' }],
    });
    const rolled = await eventually('rolling update', async () => {
      const set = await apps.readNamespacedStatefulSet({ name: 'prometheus', namespace });
      const status = set.status;
      const done =
        status?.observedGeneration === set.metadata?.generation &&
        status?.updatedReplicas === 2 &&
        status.readyReplicas === 2 &&
        status.currentRevision === status.updateRevision;
      return done ? set : undefined;
    });
    expect(rolled.status?.readyReplicas).toBe(2);
    const after = await podsOf('prometheus');
    expect(after.map((pod) => pod.spec?.containers[0]?.image)).toEqual(['prometheus:2', 'prometheus:2']);
    expect(after.every((pod) => !before.has(pod.metadata?.uid) && isReady(pod))).toBe(true);
  });

  it('makes a Deployment available', async () => {
    const selector = { matchLabels: { app: 'query' } };
    await apps.createNamespacedDeployment({
      namespace,
      body: model<V1Deployment>({ metadata: { name: 'query' }, spec: { replicas: 3, selector, template: template('query', 'thanos:1') } }),
    });
    const deployment = await eventually('deployment available', async () => {
      const found = await apps.readNamespacedDeployment({ name: 'query', namespace });
      return found.status?.availableReplicas === 3 ? found : undefined;
    });
    expect(deployment.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(deployment.status?.readyReplicas).toBe(3);
  });

  it('reports a pod annotated to fail as Failed, its containers exited', async () => {
    await createPod('failing', { [FAIL_ANNOTATION]: 'true' });
    const pod = await podWhen('failing', (p) => p.status?.phase !== undefined && p.status.phase !== 'Pending');
    expect(pod.status?.phase).toBe('Failed');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(isReady(pod)).toBe(false);
  });

  it('reports a pod annotated unready as Running but not Ready, and Ready once the annotation goes', async () => {
    await createPod('unready', { [UNREADY_ANNOTATION]: 'true' });
    const pod = await podWhen('unready', (p) => p.status?.phase === 'Running');
    expect(isReady(pod)).toBe(false);
    expect(pod.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe('False');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });
    await core.patchNamespacedPod({
      name: 'unready',
      namespace,
      body: [{ op: 'remove', path: `/metadata/annotations/${UNREADY_ANNOTATION.replace('/', '~1')}` }],
    });
    expect(isReady(await podWhen('unready', isReady))).toBe(true);
  });

  it('does not rewrite a status that is already right', async () => {
    const kubelet = cluster.kubelet;
    if (!kubelet) throw new Error('the fleet runs no kubelet');
    await createPod('steady');
    await podWhen('steady', isReady);
    const writes = kubelet.writes;
    // A label change wakes the kubelet for this pod; a pod created after it is handled later.
    await core.patchNamespacedPod({ name: 'steady', namespace, body: [{ op: 'add', path: '/metadata/labels', value: { touched: 'yes' } }] });
    await createPod('later');
    await podWhen('later', isReady);
    // The later pod's binding and status, nothing for the steady one.
    expect(kubelet.writes - writes).toBe(2);
  });

  it('completes a graceful pod deletion at once', async () => {
    await createPod('deleted');
    await podWhen('deleted', isReady);
    await core.deleteNamespacedPod({ name: 'deleted', namespace });
    await eventually('pod gone', async () =>
      (await core.listNamespacedPod({ namespace, fieldSelector: 'metadata.name=deleted' })).items.length === 0 ? true : undefined,
    );
  });

  it('keeps working across a cluster restart', async () => {
    await cluster.restart();
    await createPod('after-restart');
    const pod = await podWhen('after-restart', isReady);
    expect(pod.spec?.nodeName).toBe('testkit-work');
  });
});
