import { PrometheusClusters, storeEndpoint, thanosFileSD, type StoreEndpoint } from '@promfleet/api';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';

import { EndpointsApiError, getFromEndpointsApi, type EndpointsApiOptions } from './sources.ts';

/** The StoreAPI endpoints of one PrometheusCluster with `spec.storeAPI`. */
export interface StoreSet {
  readonly namespace: string;
  readonly name: string;
  readonly targets: readonly StoreEndpoint[];
}

const targets = storeEndpoint.array();

/** Every PrometheusCluster with a StoreAPI and its status.storeEndpoints, read from the hub; addresses checked (members reported them). */
export async function hubStoreSets(hub: KubeClient): Promise<StoreSet[]> {
  const { items } = await new ResourceClient(hub, PrometheusClusters).listAll();
  return items
    .filter((cluster) => cluster.spec.storeAPI !== undefined)
    .map((cluster) => {
      const { namespace = '', name } = cluster.metadata;
      const parsed = targets.safeParse(cluster.status?.storeEndpoints ?? []);
      if (!parsed.success) throw new EndpointsApiError(`PrometheusCluster ${namespace}/${name}: status.storeEndpoints holds an address that is not host:port`);
      return { namespace, name, targets: parsed.data };
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** `GET <url>/api/v1/stores` from the hub's endpoints API. */
export async function apiStoreSets(options: EndpointsApiOptions): Promise<StoreSet[]> {
  const { url, text } = await getFromEndpointsApi(options, '/api/v1/stores');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EndpointsApiError(`GET ${url}: the response is not JSON`);
  }
  const { items } = (body ?? {}) as { items?: unknown };
  if (!Array.isArray(items)) throw new EndpointsApiError(`GET ${url}: expected { revision, items }`);
  return items.map((item: unknown, index): StoreSet => {
    const { namespace, name, targets: listed } = (item ?? {}) as { namespace?: unknown; name?: unknown; targets?: unknown };
    const parsed = targets.safeParse(listed);
    if (typeof namespace !== 'string' || typeof name !== 'string' || !parsed.success) {
      throw new EndpointsApiError(`GET ${url}: items[${String(index)}] is not { namespace, name, targets: [{ member, address (host:port) }] }`);
    }
    return { namespace, name, targets: parsed.data };
  });
}

/** Thanos file SD, one target group per PrometheusCluster: what its global Query reads. */
export function renderThanosSD(sets: readonly StoreSet[]): string {
  return thanosFileSD(sets.map((set) => set.targets));
}
