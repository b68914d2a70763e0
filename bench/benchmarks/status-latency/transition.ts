import type { PrometheusCluster, PrometheusReplica } from '@promfleet/api';
import type { DNSEndpoint } from '@promfleet/hub';
import { ConfigMaps, Pods, ResourceClient, type ObjectOf } from '@promfleet/kube/client';
import { UNREADY_ANNOTATION } from '@promfleet/testkit';

import { BENCH_NAMESPACE, type BenchFleet, type BenchMember } from '../../lib/bench-fleet.ts';
import type { EndpointStream } from '../../lib/endpoint-stream.ts';
import type { FleetObservers } from '../../lib/fleet-observers.ts';
import type { Observer } from '../../lib/observer.ts';

const TIMEOUT_MS = 120_000;

/** When each reader saw one member's readiness change, measured from the replica's status change. */
export interface TransitionTimes {
  /** Pod annotated → replica status changed (kubelet, controller-manager, operator). */
  readonly member: number;
  readonly hubStatus: number;
  readonly dnsEndpoint: number;
  readonly endpointStream: number;
}

export interface Readers {
  readonly bench: BenchFleet;
  readonly observers: FleetObservers;
  readonly dnsEndpoints: Observer<DNSEndpoint>;
  readonly stream: EndpointStream;
}

const hasRecordOf = (endpoints: readonly { setIdentifier?: string | undefined }[] | undefined, member: string) =>
  (endpoints ?? []).some((record) => record.setIdentifier === member);

/**
 * Makes the member's Prometheus pod not ready (or ready again) with the fake kubelet's
 * annotation, and times when the replica's status, the hub's status, the DNSEndpoint and the
 * endpoints stream show it. Every waiter is registered before the pod is touched.
 */
export async function transition(readers: Readers, cluster: string, member: BenchMember, ready: boolean): Promise<TransitionTimes> {
  const { bench, observers, dnsEndpoints, stream } = readers;
  const key = `${BENCH_NAMESPACE}/${cluster}`;
  const replicaObserver = observers.replicas.observers[member.server];
  const admin = bench.admins[member.server];
  if (!replicaObserver || !admin) throw new Error(`no API server ${String(member.server)}`);
  const pod = observers.pods
    .list()
    .find(
      (p) =>
        p.metadata?.namespace === member.namespace &&
        p.metadata.labels?.['app.kubernetes.io/instance'] === cluster &&
        p.metadata.labels['app.kubernetes.io/component'] === 'prometheus',
    );
  if (!pod?.metadata?.name) throw new Error(`no Prometheus pod of ${cluster} in ${member.namespace}`);
  const what = `${member.name} ${ready ? 'ready' : 'not ready'}`;

  const replica = replicaObserver.until(`${what}: replica`, (cache) => isRunning(cache.get(`${member.namespace}/${cluster}`)) === ready, TIMEOUT_MS);
  const hubStatus = observers.clusters.until(`${what}: hub status`, (cache) => entryReady(cache.get(key), member.name) === ready, TIMEOUT_MS);
  const dnsEndpoint = dnsEndpoints.until(`${what}: DNSEndpoint`, (cache) => hasRecordOf(cache.get(key)?.spec?.endpoints, member.name) === ready, TIMEOUT_MS);
  const endpointStream = stream.until(`${what}: endpoints stream`, (sets) => hasRecordOf(sets.get(key), member.name) === ready, TIMEOUT_MS);
  const started = performance.now();
  await new ResourceClient(admin, Pods).patch(pod.metadata.name, member.namespace, {
    metadata: { annotations: { [UNREADY_ANNOTATION]: ready ? null : 'true' } },
  });
  const [replicaAt, hubAt, dnsAt, streamAt] = await Promise.all([replica, hubStatus, dnsEndpoint, endpointStream]);
  return { member: replicaAt - started, hubStatus: hubAt - replicaAt, dnsEndpoint: dnsAt - replicaAt, endpointStream: streamAt - replicaAt };
}

const isRunning = (replica: PrometheusReplica | undefined) => replica?.status?.phase === 'Running';

function entryReady(cluster: PrometheusCluster | undefined, member: string): boolean | undefined {
  return cluster?.status?.clusters?.find((entry) => entry.name === member)?.ready;
}

type ConfigMap = ObjectOf<typeof ConfigMaps>;

/**
 * The floor under any status propagation: one write to the hub's API server until a watch
 * delivers it. The hub's status path is this hop plus a reconcile; the DNSEndpoint's is two.
 */
export async function hop(bench: BenchFleet, observer: Observer<ConfigMap>, sequence: number): Promise<number> {
  const value = String(sequence);
  const seen = observer.until('the hop ConfigMap', (cache) => cache.get(`${BENCH_NAMESPACE}/hop`)?.data?.sequence === value, TIMEOUT_MS);
  const started = performance.now();
  await new ResourceClient(bench.hub, ConfigMaps).patch('hop', BENCH_NAMESPACE, { data: { sequence: value } });
  return (await seen) - started;
}
