import { API_VERSION, FIELD_MANAGERS, LABELS, PROMETHEUS_CLUSTER, thanosFileSD, type PrometheusCluster, type StoreEndpoint } from '@promfleet/api';
import type { IConfigMap } from 'kubernetes-models/v1';

/** The key of the file-SD document in the ConfigMap: Thanos reads `.json`, `.yml` and `.yaml` files. */
export const STORE_SD_KEY = 'stores.json';

/** `app.kubernetes.io/component` of the ConfigMaps, which the hub watches (and no others). */
export const STORE_SD_COMPONENT = 'store-endpoints';

export function storeSDConfigMapName(cluster: string): string {
  return `${cluster}-store-endpoints`;
}

/** One PrometheusCluster's document: one target group (thanosFileSD); an unchanged list leaves the ConfigMap unwritten. */
export function storeSDDocument(endpoints: readonly StoreEndpoint[]): string {
  return thanosFileSD([endpoints]);
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
