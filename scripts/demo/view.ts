import type { MemberCluster, PrometheusCluster } from '@promfleet/api';
import { memberViews, renderMembers, renderStatus, statusViews } from '@promfleet/cli';

/**
 * The demo's picture of the fleet, with the tables `promfleet members` and `promfleet status`
 * print: members, each cluster's replicas and phases, and its DNS records; and the store list a
 * global Thanos Query reads (the hub's file-SD ConfigMap, `promfleet endpoints --format thanos-sd`).
 */
export function renderFleet(members: readonly MemberCluster[], clusters: readonly PrometheusCluster[], now: Date): string {
  return [
    'MEMBERS',
    renderMembers(memberViews(members, now), 'table', now).trimEnd(),
    '',
    'PROMETHEUS CLUSTERS',
    renderStatus(statusViews(clusters), 'table').trimEnd(),
    '',
    'GLOBAL QUERY STORES (--store.sd-files)',
    ...renderStores(clusters),
  ].join('\n');
}

function renderStores(clusters: readonly PrometheusCluster[]): string[] {
  const withStoreAPI = clusters.filter((cluster) => cluster.spec.storeAPI !== undefined);
  if (withStoreAPI.length === 0) return ['  no PrometheusCluster with spec.storeAPI'];
  return withStoreAPI.flatMap((cluster) => {
    const key = `${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`;
    const stores = cluster.status?.storeEndpoints ?? [];
    if (stores.length === 0) return [`  ${key}: no ready member yet (ConfigMap ${cluster.metadata.name}-store-endpoints lists none)`];
    return [`  ${key} (ConfigMap ${cluster.metadata.name}-store-endpoints):`, ...stores.map((store) => `    ${store.member.padEnd(12)} ${store.address}`)];
  });
}
