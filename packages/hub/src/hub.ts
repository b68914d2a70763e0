import { FIELD_MANAGERS, FINALIZERS, inLayout, LABELS, matchesLabelSelector, type MemberCluster, type PrometheusReplica } from '@promfleet/api';
import { Informer } from '@promfleet/kube/cache';
import { objectKey, ResourceClient } from '@promfleet/kube/client';
import { Controller, ignoreStatusAndFinalizerAdded, ignoreStatusOnly } from '@promfleet/kube/controller';
import type { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { KitMetrics, Logger, TlsFiles } from '@promfleet/kube/observability';
import { Manager, type LeaseTiming } from '@promfleet/kube/runtime';

import { createHubCaches, shardClusterKey } from './caches.ts';
import type { WatchLimits } from './endpoints/watch-stream.ts';
import { ClusterReconciler } from './fanout/cluster-reconciler.ts';
import type { Sharding } from './fanout/status-writer.ts';
import { ownerKey } from './fanout/desired-replica.ts';
import { routeReplicaChange } from './fanout/replica-events.ts';
import { hubMetrics } from './hub-metrics.ts';
import { MemberReconciler } from './members/member-reconciler.ts';
import { ControllerRevisions, Revisions } from './rollout/revisions.ts';
import { MemberRegistry } from './members/member-registry.ts';
import { DEFAULT_EXPIRING_WITHIN_MS, HEARTBEAT_MS } from './members/member-status.ts';
import { serveEndpoints } from './serve-endpoints.ts';

const HUB_NAME = 'promfleet-hub';

export interface HubOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly watchNamespace?: string | undefined;
  readonly listen: string;
  readonly leaderElect: boolean;
  readonly lease?: LeaseTiming | undefined;
  readonly probeIntervalMs: number;
  readonly reviewIntervalMs: number;
  readonly offlineAfterMs: number;
  readonly memberTimeoutMs: number;
  readonly deletionTimeoutMs: number;
  /** How long a replica may go without an operator's status before its entry is NoOperator. */
  readonly noOperatorAfterMs: number;
  readonly concurrency: number;
  /** Replica status changes within this window of each other make one status write (`--status-batch-window`). */
  readonly statusBatchWindowMs: number;
  /** How long a full pass's status write waits for the reports on the replicas it changed (`--report-wait`). */
  readonly reportWaitMs: number;
  /** When a status spreads over PrometheusClusterShards, and how small they are (`--unsharded-members`, `--members-per-shard`). */
  readonly sharding: Sharding;
  /** Images a PrometheusCluster may name (--allowed-image-prefixes). */
  readonly allowedImagePrefixes: readonly string[];
  /** Redis for the endpoint store; absent: in memory. */
  readonly redisUrl?: string | undefined;
  /** The endpoints API's bearer token, read when asked; absent: no token. */
  readonly apiToken?: (() => string) | undefined;
  /** Limits of the endpoints API's watchers. */
  readonly apiWatch?: Partial<WatchLimits> | undefined;
  /** Serve --listen over HTTPS. */
  readonly tls?: TlsFiles | undefined;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
}

/**
 * The hub: its caches, the member controller (connections, probes, status, cleanup), the cluster
 * controller (fan-out, aggregation) and what it publishes, registered with a Manager (which owns
 * the client, leader election and the HTTP server). `main.ts` runs it from flags.
 */
export async function createHub(options: HubOptions): Promise<Manager> {
  const { logger, metrics } = options;
  const manager = new Manager({
    name: HUB_NAME,
    kubeConfig: options.kubeConfig,
    cluster: 'hub',
    logger,
    metrics,
    listen: options.listen,
    leaderElection: options.leaderElect ? { namespace: options.namespace, ...options.lease } : undefined,
    tls: options.tls,
  });
  const { client, events } = manager;
  const { members, clusters, shards, secrets } = createHubCaches(client, {
    namespace: options.namespace,
    watchNamespace: options.watchNamespace,
    metrics,
    logger,
  });
  for (const cache of [members, clusters, shards, secrets]) manager.addCache(cache);
  // Only the hub's own revisions (labelled with their PrometheusCluster), in the namespaces it watches.
  const revisionCache = new Informer(new ResourceClient(client, ControllerRevisions), {
    metrics,
    logger,
    namespace: options.watchNamespace,
    labelSelector: LABELS.hubName,
  });
  manager.addCache(revisionCache);

  const extra = hubMetrics(metrics);
  const registry = new MemberRegistry({
    onRollCall: () => {
      extra.rollCalls.inc();
      logger.info('a member stopped answering: probing every member at once (roll call)');
    },
  });
  // Member connections exist only while leading: standbys neither probe nor watch members.
  manager.addRunnable({ start: () => undefined, stop: () => registry.stopAll() }, 'leading');
  const workers = Math.max(2, Math.min(options.concurrency, 8));
  const clusterController = new Controller({
    name: 'prometheuscluster',
    workers,
    logger,
    metrics,
    reconcile: (context) => clusterReconciler.reconcile(context),
  });
  const memberController = new Controller({ name: 'membercluster', workers, logger, metrics, reconcile: (context) => memberReconciler.reconcile(context) });

  const clustersSelecting = (member: MemberCluster | undefined): string[] =>
    clusters
      .list()
      .filter((cluster) => !member || matchesLabelSelector(cluster.spec.clusterSelector, member.metadata.labels ?? {}))
      .map(objectKey);
  const clustersOfReplica = (replica: PrometheusReplica): string[] => {
    const owner = ownerKey(replica);
    // A replica the hub does not manage may conflict with any cluster of that name.
    return owner ? [owner] : clusters.byIndex('name', replica.metadata.name).map(objectKey);
  };
  // Everything but a replica's status asks the cluster controller for a full pass over the fan-out.
  const fullPass = (keys: readonly string[]): readonly string[] => {
    for (const key of keys) clusterReconciler.needsFullPass(key);
    return keys;
  };
  const revisions = new Revisions(client, revisionCache, FIELD_MANAGERS.hub);
  const clusterReconciler = new ClusterReconciler({
    hub: client,
    clusters,
    members,
    shards,
    secrets,
    registry,
    revisions,
    events,
    hubMetrics: extra,
    logger,
    concurrency: options.concurrency,
    offlineAfterMs: options.offlineAfterMs,
    deletionTimeoutMs: options.deletionTimeoutMs,
    noOperatorAfterMs: options.noOperatorAfterMs,
    allowedImagePrefixes: options.allowedImagePrefixes,
    statusBatchWindowMs: options.statusBatchWindowMs,
    reportWaitMs: options.reportWaitMs,
    requeue: (key, afterMs) => {
      clusterController.enqueueAfter(key, afterMs);
    },
    sharding: options.sharding,
  });
  const replicaRouting = { reconciler: clusterReconciler, queue: clusterController, clustersOf: clustersOfReplica };
  const memberReconciler = new MemberReconciler({
    hub: client,
    members,
    secrets,
    clusters,
    registry,
    events,
    metrics,
    hubMetrics: extra,
    logger,
    writeGuard: () => manager.isLeader(),
    timings: {
      offlineAfterMs: options.offlineAfterMs,
      expiringWithinMs: DEFAULT_EXPIRING_WITHIN_MS,
      heartbeatMs: HEARTBEAT_MS,
      probeIntervalMs: options.probeIntervalMs,
      reviewIntervalMs: options.reviewIntervalMs,
      requestTimeoutMs: options.memberTimeoutMs,
      deletionTimeoutMs: options.deletionTimeoutMs,
    },
    onProbe: (member) => {
      memberController.enqueue(member);
    },
    onReachabilityChange: (member) => {
      for (const key of fullPass(clustersSelecting(members.get(member)))) clusterController.enqueue(key);
    },
    onReplicaChange: (replica, member) => {
      routeReplicaChange(replicaRouting, replica, member);
    },
  });

  memberController.watchPrimary(members).watchMapped(secrets, (secret) => members.byIndex('secret', objectKey(secret)).map(objectKey));
  // The hub's own writes — its status writes (to PrometheusClusters and MemberClusters), its
  // finalizer on a PrometheusCluster, the revisions a pass creates and prunes — are no news to the
  // fan-out: the pass that made them has already done what they call for.
  const updates = { updates: ignoreStatusOnly };
  const clusterUpdates = { updates: ignoreStatusAndFinalizerAdded(FINALIZERS.memberReplicas) };
  clusterController
    .watchMapped(clusters, (cluster) => fullPass([objectKey(cluster)]), clusterUpdates)
    // Two clusters claiming one baseDomain both need to look again when either changes.
    .watchMapped(
      clusters,
      (cluster) => fullPass(cluster.spec.baseDomain ? clusters.byIndex('baseDomain', cluster.spec.baseDomain).map(objectKey) : []),
      clusterUpdates,
    )
    .watchMapped(members, (member) => fullPass(clustersSelecting(member)), updates)
    .watchMapped(revisionCache, (revision) =>
      revisions.isOwnChange(revision) || !revision.metadata?.namespace
        ? []
        : fullPass([`${revision.metadata.namespace}/${revision.metadata.labels?.[LABELS.hubName] ?? ''}`]),
    );
  // A shard of the layout its PrometheusCluster's status names, deleted, took its members' entries
  // and records with it: a pass writes it again. (The hub deletes only shards of another layout.)
  shards.addHandler({
    onDelete: (shard) => {
      const key = shardClusterKey(shard);
      const cluster = clusters.get(key);
      if (cluster && inLayout(cluster, shard)) for (const due of fullPass([key])) clusterController.enqueue(due);
    },
  });
  manager.addController(memberController);
  manager.addController(clusterController);

  await serveEndpoints(manager, clusters, shards, {
    watchNamespace: options.watchNamespace,
    redisUrl: options.redisUrl,
    apiToken: options.apiToken,
    apiWatch: options.apiWatch,
    logger,
    metrics,
  });
  return manager;
}
