import { API_VERSION, FIELD_MANAGERS, LABELS, PROMETHEUS_CLUSTER, type PrometheusCluster, type StoreEndpoint } from '@promfleet/api';
import type { IConfigMap } from 'kubernetes-models/v1';

/** The key of the file-SD document in the ConfigMap: Thanos reads `.json`, `.yml` and `.yaml` files. */
export const STORE_SD_KEY = 'stores.json';

/** `app.kubernetes.io/component` of the ConfigMaps, which the hub watches (and no others). */
export const STORE_SD_COMPONENT = 'store-endpoints';

export function storeSDConfigMapName(cluster: string): string {
  return `${cluster}-store-endpoints`;
}

/**
 * The file-SD document a Thanos Query reads with `--store.sd-files`: Prometheus's file_sd format
 * (thanos cmd/thanos/endpointset.go hands the files to prometheus/discovery/file), one target
 * group of `host:port` targets. Thanos reads only the targets, so members are not labelled.
 * Stable for a given list — the list is ordered already — so an unchanged fleet is an unchanged
 * document, and the ConfigMap is not rewritten.
 */
export function storeSDDocument(endpoints: readonly StoreEndpoint[]): string {
  const targets = [...new Set(endpoints.map((endpoint) => endpoint.address))];
  return `${JSON.stringify([{ targets }], null, 2)}\n`;
}

/** The ConfigMap of a PrometheusCluster with a StoreAPI, in its namespace, owned by it (so it goes with it). */
export function desiredStoreSDConfigMap(cluster: PrometheusCluster): IConfigMap | undefined {
  if (!cluster.spec.storeAPI) return undefined;
  const { name, namespace, uid } = cluster.metadata;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: storeSDConfigMapName(name),
      ...(namespace ? { namespace } : {}),
      labels: {
        'app.kubernetes.io/managed-by': FIELD_MANAGERS.hub,
        'app.kubernetes.io/component': STORE_SD_COMPONENT,
        [LABELS.hubName]: name,
      },
      ...(uid ? { ownerReferences: [{ apiVersion: API_VERSION, kind: PROMETHEUS_CLUSTER.kind, name, uid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    data: { [STORE_SD_KEY]: storeSDDocument(cluster.status?.storeEndpoints ?? []) },
  };
}
