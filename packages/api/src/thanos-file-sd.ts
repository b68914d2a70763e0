import type { StoreEndpoint } from './schemas/store-api.ts';

/**
 * The file-SD document a Thanos Query reads with `--store.sd-files`: Prometheus's file_sd JSON
 * (Thanos hands the files to prometheus/discovery/file), target groups of `host:port` targets.
 * Thanos reads only the targets, so groups carry no labels. One group per list given (the hub's
 * ConfigMap: one PrometheusCluster; `promfleet endpoints --format thanos-sd`: each of them), each
 * target once, in the order given — the lists are ordered already — so an unchanged fleet is an
 * unchanged document.
 */
export function thanosFileSD(groups: readonly (readonly StoreEndpoint[])[]): string {
  return `${JSON.stringify(
    groups.map((endpoints) => ({ targets: [...new Set(endpoints.map((endpoint) => endpoint.address))] })),
    null,
    2,
  )}\n`;
}
