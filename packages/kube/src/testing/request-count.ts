import type { KitMetrics } from '../observability/metrics.ts';

export const WRITE_VERBS = ['create', 'update', 'patch', 'apply', 'delete', 'deletecollection'] as const;

/** Sum of a client's request counts matching the given labels; what tests use to prove "no write". */
export async function requestCount(
  metrics: KitMetrics,
  filter: { cluster?: string; verb?: string | readonly string[]; excludeResources?: readonly string[] } = {},
): Promise<number> {
  const verbs = filter.verb === undefined ? undefined : new Set(typeof filter.verb === 'string' ? [filter.verb] : filter.verb);
  const excluded = new Set(filter.excludeResources ?? []);
  const { values } = await metrics.kubeRequests.get();
  return values
    .filter(
      (v) =>
        (filter.cluster === undefined || v.labels.cluster === filter.cluster) &&
        (verbs === undefined || verbs.has(String(v.labels.verb))) &&
        !excluded.has(String(v.labels.resource)),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
