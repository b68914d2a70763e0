import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGERS, LABELS, matchesLabelSelector, type MemberCluster, type PrometheusCluster, type PrometheusReplica } from '@promfleet/api';
import {
  Controller,
  EventRecorder,
  Informer,
  KubeClient,
  LeaderElector,
  type LeaseTiming,
  Manager,
  MemberClusters,
  objectKey,
  PrometheusClusters,
  ResourceClient,
  Secrets,
  type KitMetrics,
  type Logger,
  type TlsFiles,
} from '@promfleet/kube';
import type { ISecret } from 'kubernetes-models/v1';

import { registerEndpointsApi } from './endpoints/api.ts';
import { DNSEndpointWriter } from './endpoints/dnsendpoint-writer.ts';
import { MemoryEndpointStore } from './endpoints/memory-store.ts';
import { EndpointPublisher } from './endpoints/publisher.ts';
import { RedisEndpointStore } from './endpoints/redis-store.ts';
import { endpointStoreCheck, type EndpointStore } from './endpoints/store.ts';
import type { WatchLimits } from './endpoints/watch-stream.ts';
import { ClusterReconciler } from './fanout/cluster-reconciler.ts';
import { ownerKey } from './fanout/desired-replica.ts';
import { hubMetrics } from './hub-metrics.ts';
import { MemberReconciler } from './members/member-reconciler.ts';
import { ControllerRevisions, Revisions } from './rollout/revisions.ts';
import { MemberRegistry } from './members/member-registry.ts';
import { DEFAULT_EXPIRING_WITHIN_MS, HEARTBEAT_MS } from './members/member-status.ts';

const HUB_NAME = 'promfleet-hub';

export interface HubOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly watchNamespace?: string | undefined;
  readonly listen: string;
  readonly leaderElect: boolean;
  readonly lease?: LeaseTiming | undefined;
  readonly probeIntervalMs: number;
  readonly offlineAfterMs: number;
  readonly memberTimeoutMs: number;
  readonly deletionTimeoutMs: number;
  /** How long a replica may go without an operator's status before its entry is NoOperator. */
  readonly noOperatorAfterMs: number;
  readonly concurrency: number;
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

export interface Hub {
  readonly manager: Manager;
  readonly client: KubeClient;
  readonly clusters: Informer<PrometheusCluster>;
  readonly registry: MemberRegistry;
  readonly store: EndpointStore;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The hub, wired: caches of MemberClusters, PrometheusClusters and the credential Secrets; the
 * member controller (connections, probes, status, cleanup) and the cluster controller (fan-out,
 * aggregation); the endpoint store, its publisher, the endpoints API and the DNSEndpoint
 * writer; leader election and the HTTP server in a Manager. `main.ts` runs it from flags.
 */
export async function createHub(options: HubOptions): Promise<Hub> {
  const { logger, metrics } = options;
  const leadership = { isLeader: (): boolean => false };
  const writeGuard = (): boolean => leadership.isLeader();
  const client = new KubeClient(options.kubeConfig, { cluster: 'hub', metrics, writeGuard, userAgent: HUB_NAME });
  const identity = `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString('hex')}`;
  const leaderElector = options.leaderElect ? new LeaderElector({ client, namespace: options.namespace, name: HUB_NAME, identity, logger, metrics, ...options.lease }) : undefined;

  const common = { metrics, logger };
  const members = new Informer(new ResourceClient(client, MemberClusters), {
    ...common,
    indexers: { secret: (member: MemberCluster) => [`${member.spec.kubeconfigSecretRef.namespace}/${member.spec.kubeconfigSecretRef.name}`] },
  });
  const clusters = new Informer(new ResourceClient(client, PrometheusClusters), {
    ...common,
    namespace: options.watchNamespace,
    indexers: {
      baseDomain: (cluster: PrometheusCluster) => (cluster.spec.baseDomain ? [cluster.spec.baseDomain] : []),
      name: (cluster: PrometheusCluster) => [cluster.metadata.name],
    },
  });
  // Only the hub's own revisions (labelled with their PrometheusCluster), in the namespaces it watches.
  const revisionCache = new Informer(new ResourceClient(client, ControllerRevisions), { ...common, namespace: options.watchNamespace, labelSelector: LABELS.hubName });
  const secrets = new Informer<ISecret>(new ResourceClient(client, Secrets), { ...common, namespace: options.namespace });

  const events = new EventRecorder(client, { component: HUB_NAME, instance: identity, logger });
  const registry = new MemberRegistry();
  const extra = hubMetrics(metrics);
  const workers = Math.max(2, Math.min(options.concurrency, 8));
  const clusterController = new Controller({ name: 'prometheuscluster', workers, logger, metrics, reconcile: (context) => clusterReconciler.reconcile(context) });
  const memberController = new Controller({ name: 'membercluster', workers, logger, metrics, reconcile: (context) => memberReconciler.reconcile(context) });

  const clustersSelecting = (member: MemberCluster | undefined): string[] =>
    clusters.list().filter((cluster) => !member || matchesLabelSelector(cluster.spec.clusterSelector, member.metadata.labels ?? {})).map(objectKey);
  const clustersOfReplica = (replica: PrometheusReplica): string[] => {
    const owner = ownerKey(replica);
    // A replica the hub does not manage may conflict with any cluster of that name.
    return owner ? [owner] : clusters.byIndex('name', replica.metadata.name).map(objectKey);
  };

  const clusterReconciler = new ClusterReconciler({
    hub: client,
    clusters,
    members,
    secrets,
    registry,
    revisions: new Revisions(client, revisionCache, FIELD_MANAGERS.hub),
    events,
    hubMetrics: extra,
    logger,
    concurrency: options.concurrency,
    offlineAfterMs: options.offlineAfterMs,
    deletionTimeoutMs: options.deletionTimeoutMs,
    noOperatorAfterMs: options.noOperatorAfterMs,
    allowedImagePrefixes: options.allowedImagePrefixes,
  });
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
    writeGuard,
    timings: {
      offlineAfterMs: options.offlineAfterMs,
      expiringWithinMs: DEFAULT_EXPIRING_WITHIN_MS,
      heartbeatMs: HEARTBEAT_MS,
      probeIntervalMs: options.probeIntervalMs,
      requestTimeoutMs: options.memberTimeoutMs,
      deletionTimeoutMs: options.deletionTimeoutMs,
    },
    onProbe: (member) => {
      memberController.enqueue(member);
    },
    onReachabilityChange: (member) => {
      for (const key of clustersSelecting(members.get(member))) clusterController.enqueue(key);
    },
    onReplicaChange: (replica) => {
      for (const key of clustersOfReplica(replica)) clusterController.enqueue(key);
    },
  });

  memberController.watchPrimary(members).watchMapped(secrets, (secret) => members.byIndex('secret', objectKey(secret)).map(objectKey));
  clusterController
    .watchPrimary(clusters)
    // Two clusters claiming one baseDomain both need to look again when either changes.
    .watchMapped(clusters, (cluster) => (cluster.spec.baseDomain ? clusters.byIndex('baseDomain', cluster.spec.baseDomain).map(objectKey) : []))
    .watchMapped(members, (member) => clustersSelecting(member))
    .watchMapped(revisionCache, (revision) => (revision.metadata?.namespace ? [`${revision.metadata.namespace}/${revision.metadata.labels?.[LABELS.hubName] ?? ''}`] : []));

  // With Redis only the leader writes the shared store (and republishes when Redis comes back);
  // in memory every replica fills its own from its cache.
  const publisher: { current?: EndpointPublisher } = {};
  const store: EndpointStore = options.redisUrl
    ? new RedisEndpointStore({ url: options.redisUrl, logger, metrics, onReconnect: () => void publisher.current?.resync() })
    : new MemoryEndpointStore();
  publisher.current = new EndpointPublisher(clusters, store, logger, options.redisUrl ? writeGuard : undefined);
  const endpointPublisher = publisher.current;

  const dnsWriter = new DNSEndpointWriter(client, clusters, { logger, metrics });
  const dnsController = new Controller({ name: 'dnsendpoint', workers: 2, logger, metrics, reconcile: (context) => dnsWriter.reconcile(context) });
  dnsController.watchPrimary(clusters);
  dnsWriter.onEnabled(() => {
    for (const cluster of clusters.list()) dnsController.enqueue(objectKey(cluster));
  });

  const manager = new Manager({
    logger,
    metrics,
    listen: options.listen,
    leaderElector,
    tls: options.tls,
    readiness: [endpointStoreCheck(store)],
  });
  leadership.isLeader = () => manager.isLeader();
  for (const informer of [members, clusters, secrets, revisionCache, dnsWriter.crds]) manager.addInformer(informer as unknown as Informer<never>);
  manager.addController(memberController);
  manager.addController(clusterController);
  manager.addController(dnsController);
  // Member connections exist only while leading: standbys neither probe nor watch members.
  manager.addLeaderRunnable({ start: () => undefined, stop: () => registry.stopAll() });
  if (options.redisUrl) manager.addLeaderRunnable({ start: () => endpointPublisher.start(), stop: () => { endpointPublisher.stop(); } });
  await registerEndpointsApi(manager.http, { store, metrics, logger, ...(options.apiToken ? { token: options.apiToken } : {}), ...(options.apiWatch ? { watch: options.apiWatch } : {}) });

  return {
    manager,
    client,
    clusters,
    registry,
    store,
    start: async () => {
      await store.start().catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'endpoint store unavailable at start; not ready and answering 503 until it is back and holds what the leader published');
      });
      await manager.start();
      if (!options.redisUrl) {
        await clusters.waitForSync(manager.signal);
        await endpointPublisher.start();
      }
    },
    stop: async () => {
      await manager.stop();
      endpointPublisher.stop();
      await dnsWriter.stop();
      await registry.stopAll();
      await store.stop();
      await client.close();
    },
  };
}
