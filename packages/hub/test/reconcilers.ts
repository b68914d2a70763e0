import { randomUUID } from 'node:crypto';

import {
  FIELD_MANAGERS,
  LABELS,
  MemberClusters,
  PrometheusClusters,
  PrometheusReplicas,
  type MemberCluster,
  type PrometheusCluster,
  type PrometheusClusterSpecInput,
  type PrometheusReplica,
} from '@promfleet/api';
import { join } from '@promfleet/cli';
import { CoreEvents, KubeClient, Namespaces, ResourceClient, type KubeObject } from '@promfleet/kube/client';
import { Informer } from '@promfleet/kube/cache';
import { parseDuration } from '@promfleet/kube/flags';
import type { IControllerRevision } from 'kubernetes-models/apps/v1';
import type { ReconcileResult } from '@promfleet/kube/controller';
import { KitMetrics, silentLogger } from '@promfleet/kube/observability';
import { EventRecorder, findCondition } from '@promfleet/kube/status';
import { eventually, HUB_NAMESPACE, installCRDs, startFleet, type Fleet } from '@promfleet/testkit';

import { createHubCaches, type HubCaches } from '../src/caches.ts';
import type { Sharding } from '../src/fanout/status-writer.ts';
import { ClusterReconciler } from '../src/fanout/cluster-reconciler.ts';
import { DEFAULT_REPORT_WAIT } from '../src/fanout/report-wait.ts';
import { hubMetrics } from '../src/hub-metrics.ts';
import { MemberReconciler } from '../src/members/member-reconciler.ts';
import { MemberRegistry } from '../src/members/member-registry.ts';
import { ControllerRevisions, Revisions } from '../src/rollout/revisions.ts';
import { DEFAULT_EXPIRING_WITHIN_MS, HEARTBEAT_MS } from '../src/members/member-status.ts';

export { eventually };

/** Short enough for tests to wait out, long enough for a busy machine to probe within. */
// NoOperator after a minute: longer than any test here, which all run an operator-less member.
export const TIMINGS = {
  probeIntervalMs: 500,
  reviewIntervalMs: 2_000,
  offlineAfterMs: 3_000,
  deletionTimeoutMs: 4_000,
  requestTimeoutMs: 2_000,
  noOperatorAfterMs: 60_000,
} as const;

export interface HubHarness {
  readonly fleet: Fleet;
  /** Admin on the one API server: the hub's and every member's. */
  readonly admin: KubeClient;
  readonly hubMetrics: KitMetrics;
  readonly caches: HubCaches;
  readonly registry: MemberRegistry;
  readonly members: MemberReconciler;
  readonly clusters: ClusterReconciler;
  /** The ControllerRevisions the cluster reconciler keeps, and its cache of them. */
  readonly revisions: Revisions;
  readonly revisionCache: Informer<IControllerRevision>;
  /** What the member reconciler told the rest of the hub. */
  readonly calls: { readonly probed: string[]; readonly reachability: string[]; readonly replicas: string[]; readonly requeued: string[] };
  /** Joins a member: a namespace of the API server, its scoped credential, its MemberCluster. */
  join(name: string, labels: Readonly<Record<string, string>>, server?: string): Promise<void>;
  reconcileMember(name: string): Promise<ReconcileResult | undefined>;
  /** Reconciles what is pending for the cluster: the reports `clusters.replicaChanged` queued, a full pass `clusters.needsFullPass` asked for, a deadline that came. */
  reconcileCluster(key: string): Promise<ReconcileResult | undefined>;
  /** A full pass, as the hub's informer handlers ask for on any change to a cluster or member but a replica's status (hub.ts). */
  passCluster(key: string): Promise<ReconcileResult | undefined>;
  /** Reconciles the member until its Ready condition has this status. */
  memberReady(name: string, status?: 'True' | 'False'): Promise<MemberCluster>;
  stop(): Promise<void>;
}

/**
 * The hub's reconcilers in this process against one real API server, as kubebuilder projects
 * test Reconcile against envtest: the tests call `reconcile` themselves and look at what it
 * wrote. Caches are the hub's own, started and synced; members are namespaces of the same API
 * server joined with `promfleet join` (each a credential scoped to its namespace).
 */
export async function startHubHarness(
  options: {
    allowedImagePrefixes?: readonly string[];
    statusBatchWindowMs?: number;
    /** How long a pass's status write waits for the reports on what it changed (the hub's default if not given). */
    reportWaitMs?: number;
    sharding?: Sharding;
    /** The hub's client (a GatedClient, say); a plain KubeClient by default. */
    client?: (...args: ConstructorParameters<typeof KubeClient>) => KubeClient;
  } = {},
): Promise<HubHarness> {
  const fleet = await startFleet({ clusters: ['hub'], loadBalancer: false });
  const cluster = fleet.cluster('hub');
  await installCRDs(cluster);
  const metrics = new KitMetrics();
  const admin = (options.client ?? ((...args) => new KubeClient(...args)))(cluster.kubeConfig, { cluster: 'hub', metrics });
  await new ResourceClient(admin, Namespaces).create({ metadata: { name: HUB_NAMESPACE } });
  const caches = createHubCaches(admin, { namespace: HUB_NAMESPACE });
  for (const cache of Object.values(caches)) cache.start();
  const revisionCache = new Informer(new ResourceClient(admin, ControllerRevisions), { labelSelector: LABELS.hubName });
  revisionCache.start();
  await Promise.all([...Object.values(caches), revisionCache].map((cache) => cache.waitForSync()));
  const registry = new MemberRegistry();
  const events = new EventRecorder(admin, { component: 'promfleet-hub', logger: silentLogger });
  const extra = hubMetrics(metrics);
  const calls = { probed: [] as string[], reachability: [] as string[], replicas: [] as string[], requeued: [] as string[] };
  const members = new MemberReconciler({
    hub: admin,
    ...caches,
    registry,
    events,
    metrics,
    hubMetrics: extra,
    logger: silentLogger,
    writeGuard: () => true,
    timings: { ...TIMINGS, expiringWithinMs: DEFAULT_EXPIRING_WITHIN_MS, heartbeatMs: HEARTBEAT_MS },
    onProbe: (member) => calls.probed.push(member),
    onReachabilityChange: (member) => calls.reachability.push(member),
    onReplicaChange: (replica) => calls.replicas.push(`${replica.metadata.namespace ?? ''}/${replica.metadata.name}`),
  });
  const revisions = new Revisions(admin, revisionCache, FIELD_MANAGERS.hub);
  const clusters = new ClusterReconciler({
    hub: admin,
    ...caches,
    registry,
    revisions,
    events,
    hubMetrics: extra,
    logger: silentLogger,
    concurrency: 4,
    offlineAfterMs: TIMINGS.offlineAfterMs,
    deletionTimeoutMs: TIMINGS.deletionTimeoutMs,
    noOperatorAfterMs: TIMINGS.noOperatorAfterMs,
    allowedImagePrefixes: options.allowedImagePrefixes ?? [],
    statusBatchWindowMs: options.statusBatchWindowMs ?? 0,
    reportWaitMs: options.reportWaitMs ?? parseDuration(DEFAULT_REPORT_WAIT) ?? 0,
    sharding: options.sharding ?? { unshardedMembers: 100, membersPerShard: 100 },
    requeue: (key) => calls.requeued.push(key),
  });
  const context = (key: string) => ({ key, reconcileID: randomUUID(), logger: silentLogger });
  const harness: HubHarness = {
    fleet,
    admin,
    hubMetrics: metrics,
    caches,
    registry,
    members,
    clusters,
    revisions,
    revisionCache,
    calls,
    join: async (name, labels, server) => {
      await join({ name, member: admin, hub: admin, memberCA: cluster.ca, namespace: name, labels, ...(server ? { server } : {}) });
      await eventually(`MemberCluster ${name} in the cache`, () => caches.members.get(name));
    },
    reconcileMember: (name) => members.reconcile(context(name)),
    reconcileCluster: (key) => clusters.reconcile(context(key)),
    passCluster: (key) => {
      clusters.needsFullPass(key);
      return clusters.reconcile(context(key));
    },
    memberReady: (name, status = 'True') =>
      eventually(
        `MemberCluster ${name} Ready=${status}`,
        async () => {
          await harness.reconcileMember(name);
          const member = await new ResourceClient(admin, MemberClusters).get(name);
          return findCondition(member?.status?.conditions, 'Ready')?.status === status ? member : undefined;
        },
        60_000,
        200,
      ),
    stop: async () => {
      await registry.stopAll();
      await Promise.all([...Object.values(caches), revisionCache].map((cache) => cache.stop()));
      await admin.close();
      await fleet.stop();
    },
  };
  return harness;
}

/** A PrometheusCluster in the hub, in `default`, selecting members by labels. */
export function prometheusCluster(name: string, selector: Readonly<Record<string, string>>, spec: Partial<PrometheusClusterSpecInput> = {}): PrometheusCluster {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name, namespace: 'default' },
    spec: { clusterSelector: { matchLabels: { ...selector } }, configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  } as PrometheusCluster;
}

export const clustersOf = (admin: KubeClient) => new ResourceClient(admin, PrometheusClusters);
export const replicasOf = (admin: KubeClient) => new ResourceClient(admin, PrometheusReplicas);
export const membersOf = (admin: KubeClient) => new ResourceClient(admin, MemberClusters);

/** What the replica operator would report for a replica at its current generation. */
export async function reportRunning(admin: KubeClient, replica: PrometheusReplica, address: string): Promise<void> {
  await replicasOf(admin).patch(
    replica.metadata.name,
    replica.metadata.namespace,
    {
      status: {
        phase: 'Running',
        observedGeneration: replica.metadata.generation,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'AllTiersReady', message: 'ready', lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z' },
        ],
        output: { queryHost: `query.${replica.spec.baseDomain ?? 'example.com'}`, addresses: [address] },
      },
    },
    { type: 'merge', subresource: 'status' },
  );
}

/** Events recorded about an object, newest last. */
export async function eventsAbout(admin: KubeClient, object: KubeObject): Promise<{ type: string; reason: string; message: string }[]> {
  const { items } = await new ResourceClient(admin, CoreEvents).list({ namespace: object.metadata?.namespace ?? 'default' });
  return items
    .filter((event) => event.involvedObject.name === object.metadata?.name && event.involvedObject.kind === object.kind)
    .map((event) => ({ type: event.type ?? '', reason: event.reason ?? '', message: event.message ?? '' }));
}
