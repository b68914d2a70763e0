import { ANNOTATIONS, FIELD_MANAGERS, LABELS, type PrometheusCluster } from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import { Informer } from '@promfleet/kube/cache';
import { ConfigMaps, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import type { ReconcileContext } from '@promfleet/kube/controller';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import type { IConfigMap } from 'kubernetes-models/v1';

import { desiredStoreSDConfigMap, STORE_SD_COMPONENT, storeSDConfigMapName } from './store-sd.ts';

/**
 * Keeps each PrometheusCluster's file-SD ConfigMap equal to its `status.storeEndpoints`, for a
 * global Thanos Query to mount. Reads the ConfigMap from a cache of the hub's own ConfigMaps
 * and applies only a document that differs, so an unchanged fleet costs no write; a cluster that
 * drops `storeAPI` loses its ConfigMap, and a deleted one loses it to the garbage collector.
 */
export class StoreSDWriter {
  readonly #clusters: Informer<PrometheusCluster>;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #resources: ResourceClient<IConfigMap>;
  readonly configMaps: Informer<IConfigMap>;

  constructor(client: KubeClient, clusters: Informer<PrometheusCluster>, options: { logger: Logger; metrics: KitMetrics; namespace?: string | undefined }) {
    this.#clusters = clusters;
    this.#resources = new ResourceClient(client, ConfigMaps);
    this.configMaps = new Informer(this.#resources, {
      logger: options.logger,
      metrics: options.metrics,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labelSelector: `app.kubernetes.io/managed-by=${FIELD_MANAGERS.hub},app.kubernetes.io/component=${STORE_SD_COMPONENT}`,
    });
  }

  async reconcile({ key }: ReconcileContext): Promise<undefined> {
    const cluster = this.#clusters.get(key);
    const [namespace = '', name = ''] = key.split('/');
    const live = this.configMaps.get(`${namespace}/${storeSDConfigMapName(name)}`);
    const desired = cluster && !cluster.metadata.deletionTimestamp ? desiredStoreSDConfigMap(cluster) : undefined;
    if (desired) await this.#applier.apply(this.#resources, desired, live);
    else if (live) await this.#resources.delete(live.metadata?.name ?? '', namespace, { preconditions: { uid: live.metadata?.uid ?? '' } });
    return undefined;
  }
}

/** The PrometheusCluster a ConfigMap of ours belongs to: a ConfigMap edited or deleted by hand is put back. */
export function clusterOfStoreSD(configMap: IConfigMap): string[] {
  const name = configMap.metadata?.labels?.[LABELS.hubName];
  return name ? [`${configMap.metadata?.namespace ?? ''}/${name}`] : [];
}
