import { KitMetrics } from '@promfleet/kube/observability';
import { workQueueMetrics } from '@promfleet/kube/queue';

import { hubMetrics } from './sources.ts';

/**
 * Every series name the hub can export (the operator's are a subset): the kit's metrics, the work
 * queue's, the hub's own, and Node's process metrics under the `promfleet_` prefix — from the real
 * registries, so a renamed metric fails the dashboard and alert checks.
 */
export function exportedSeriesNames(): Set<string> {
  const metrics = new KitMetrics().collectProcessMetrics();
  hubMetrics(metrics);
  workQueueMetrics(metrics.registry, 'any');
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
