import type { PrometheusCluster, PrometheusClusterShard } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { objectKey } from '@promfleet/kube/client';
import { Controller } from '@promfleet/kube/controller';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import type { Manager } from '@promfleet/kube/runtime';

import { registerEndpointsApi } from './endpoints/api.ts';
import { DNSEndpointWriter } from './endpoints/dnsendpoint-writer.ts';
import { MemoryEndpointStore } from './endpoints/memory-store.ts';
import { EndpointPublisher } from './endpoints/publisher.ts';
import { ShardedClusters } from './endpoints/sharded-clusters.ts';
import { endpointStoreCheck, type EndpointStore } from './endpoints/store.ts';
import { clusterOfStoreSD, StoreSDWriter } from './endpoints/store-sd-writer.ts';
import type { WatchLimits } from './endpoints/watch-stream.ts';
import { SHARD_WRITES_IN_FLIGHT } from './fanout/shard-writer.ts';

export interface EndpointsOptions {
  /** Where the PrometheusClusters (and so their file-SD ConfigMaps) are; absent: every namespace. */
  readonly watchNamespace?: string | undefined;
  /** Redis for the endpoint store; absent: in memory. */
  readonly redisUrl?: string | undefined;
  /** The endpoints API's bearer token, read when asked; absent: no token. */
  readonly apiToken?: (() => string) | undefined;
  /** Limits of the endpoints API's watchers. */
  readonly apiWatch?: Partial<WatchLimits> | undefined;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
}

/**
 * What the hub publishes from the PrometheusClusters' status, registered with the Manager: the
 * endpoint store (Redis or memory) and its publisher, the endpoints API on the Manager's HTTP
 * server, the DNSEndpoint writer and the file-SD ConfigMap writer with their controllers.
 */
export async function serveEndpoints(
  manager: Manager,
  clusters: Informer<PrometheusCluster>,
  shards: Informer<PrometheusClusterShard>,
  options: EndpointsOptions,
): Promise<EndpointStore> {
  const { logger, metrics, redisUrl } = options;
  const writeGuard = (): boolean => manager.isLeader();
  // With Redis only the leader writes the shared store (and republishes when Redis comes back);
  // in memory every replica fills its own from its cache. ioredis is loaded only by a hub that uses Redis.
  const publisher: { current?: EndpointPublisher } = {};
  const store: EndpointStore = redisUrl
    ? new (await import('./endpoints/redis-store.ts')).RedisEndpointStore({
        url: redisUrl,
        logger,
        metrics,
        onReconnect: () => void publisher.current?.resync(),
      })
    : new MemoryEndpointStore();
  const whole = new ShardedClusters(clusters, shards);
  const endpointPublisher = new EndpointPublisher(whole, store, logger, redisUrl ? writeGuard : undefined);
  publisher.current = endpointPublisher;
  manager.addRunnable(
    {
      start: async () => {
        await store.start().catch((error: unknown) => {
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'endpoint store unavailable at start; not ready and answering 503 until it is back and holds what the leader published',
          );
        });
      },
      stop: () => store.stop(),
    },
    'startup',
  );
  manager.addReadinessCheck(endpointStoreCheck(store));
  if (redisUrl) {
    manager.addRunnable(
      {
        start: () => endpointPublisher.start(),
        stop: () => {
          endpointPublisher.stop();
        },
      },
      'leading',
    );
  } else {
    manager.addRunnable(
      {
        start: async (signal) => {
          // Shards too: a sharded cluster published without them would lose its members' records.
          await whole.waitForSync(signal);
          await endpointPublisher.start();
        },
        stop: () => {
          endpointPublisher.stop();
        },
      },
      'running',
    );
  }
  await registerEndpointsApi(manager.http, {
    store,
    metrics,
    logger,
    ...(options.apiToken ? { token: options.apiToken } : {}),
    ...(options.apiWatch ? { watch: options.apiWatch } : {}),
  });

  const dnsWriter = new DNSEndpointWriter(manager.client, clusters, shards, { logger, metrics });
  manager.addCache(dnsWriter.crds);
  manager.addRunnable({ start: () => undefined, stop: () => dnsWriter.stop() }, 'running');
  const dnsController = new Controller({ name: 'dnsendpoint', workers: 2, logger, metrics, reconcile: (context) => dnsWriter.reconcile(context) });
  dnsController.watchPrimary(clusters);
  // Shards are written each on its own (fanout/latest-writes.ts): their mirrors keep pace with as
  // many writes in flight.
  const shardDNSController = new Controller({
    name: 'dnsendpoint-shard',
    workers: SHARD_WRITES_IN_FLIGHT,
    logger,
    metrics,
    reconcile: (context) => dnsWriter.reconcileShard(context),
  });
  shardDNSController.watchPrimary(shards);
  dnsWriter.onEnabled(() => {
    for (const cluster of clusters.list()) dnsController.enqueue(objectKey(cluster));
    for (const shard of shards.list()) shardDNSController.enqueue(objectKey(shard));
  });
  manager.addController(dnsController);
  manager.addController(shardDNSController);

  // Every replica keeps the cache; only the leader's controllers run, so only it writes.
  const storeSD = new StoreSDWriter(manager.client, clusters, { logger, metrics, namespace: options.watchNamespace });
  manager.addCache(storeSD.configMaps);
  const storeSDController = new Controller({ name: 'store-endpoints', workers: 2, logger, metrics, reconcile: (context) => storeSD.reconcile(context) });
  storeSDController.watchPrimary(clusters).watchMapped(storeSD.configMaps, clusterOfStoreSD);
  manager.addController(storeSDController);
  return store;
}
