import type { TestCluster } from '@promfleet/testkit';

import { KubeClient, ResourceClient, type KubeObject, type ResourceType } from '../src/client/index.ts';
import { KitMetrics } from '../src/observability/index.ts';

export { eventually } from '@promfleet/testkit';

/** A kit client for a testkit cluster, counting its requests in its own metrics. */
export function kitClient(
  cluster: TestCluster,
  options: { metrics?: KitMetrics; requestTimeoutMs?: number } = {},
): { client: KubeClient; metrics: KitMetrics } {
  const metrics = options.metrics ?? new KitMetrics();
  const client = new KubeClient(cluster.kubeConfig, {
    cluster: cluster.name,
    metrics,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  return { client, metrics };
}

export function resources<T extends KubeObject>(client: KubeClient, type: ResourceType<T>): ResourceClient<T> {
  return new ResourceClient(client, type);
}
