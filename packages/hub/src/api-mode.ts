import { createHttpServer, parseListenAddress, type KitMetrics, type Logger, type TlsFiles } from '@promfleet/kube/observability';

import { registerEndpointsApi } from './endpoints/api.ts';
import { RedisEndpointStore } from './endpoints/redis-store.ts';
import { endpointStoreCheck } from './endpoints/store.ts';
import type { WatchLimits } from './endpoints/watch-stream.ts';

export interface ApiServerOptions {
  readonly redisUrl: string;
  readonly listen: string;
  readonly apiToken?: (() => string) | undefined;
  readonly apiWatch?: Partial<WatchLimits> | undefined;
  readonly tls?: TlsFiles | undefined;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
}

/**
 * `promfleet-hub api`: only the endpoints API, from Redis, with no Kubernetes credentials, so DNS
 * automation can run as many replicas as it needs. Until it has loaded what the hub published it
 * is not ready and answers 503 (an empty list would read as "no records"); while Redis is away
 * after that it serves its last snapshot and `/readyz` says degraded.
 */
export async function startApiServer(options: ApiServerOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const store = new RedisEndpointStore({ url: options.redisUrl, logger: options.logger, metrics: options.metrics });
  const app = createHttpServer({
    metrics: options.metrics,
    logger: options.logger,
    tls: options.tls,
    readiness: [endpointStoreCheck(store)],
  });
  await registerEndpointsApi(app, {
    store,
    metrics: options.metrics,
    logger: options.logger,
    ...(options.apiToken ? { token: options.apiToken } : {}),
    ...(options.apiWatch ? { watch: options.apiWatch } : {}),
  });
  await store.start().catch((error: unknown) => {
    options.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis unavailable at start; not ready (503) until it is back and holds what the hub published',
    );
  });
  const { host, port } = parseListenAddress(options.listen);
  await app.listen({ host, port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: async () => {
      await app.close();
      await store.stop();
    },
  };
}
