import { objectKey, preferredResource } from '@promfleet/kube/client';
import { Controller } from '@promfleet/kube/controller';
import type { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import { Manager, type LeaseTiming } from '@promfleet/kube/runtime';
import { releaseVersion } from '@promfleet/kube/version';

import type { PodDisruptionBudget } from './builders/pdb.ts';
import { allCaches, createCaches } from './controller/caches.ts';
import { ReplicaReconciler } from './controller/reconciler.ts';
import { OPERATOR_NAME } from './names.ts';
import { ConfigAppliedProbe } from './status/config-applied.ts';

export interface ReplicaOperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  readonly listen: string;
  readonly leaderElect: boolean;
  readonly leaderElectionNamespace: string;
  readonly lease?: LeaseTiming | undefined;
  readonly clusterDomain: string;
  readonly ingressClassName?: string | undefined;
  readonly allowedImagePrefixes: readonly string[];
  readonly secretPollIntervalMs: number;
  readonly workers: number;
  readonly logger: Logger;
  readonly metrics: KitMetrics;
}

const KIND = 'PrometheusReplica';

/** The replica a pod or claim belongs to, by its instance label. */
function byInstance(object: { metadata?: { namespace?: string; labels?: Record<string, string> } }): string[] {
  const instance = object.metadata?.labels?.['app.kubernetes.io/instance'];
  return instance && object.metadata?.namespace ? [`${object.metadata.namespace}/${instance}`] : [];
}

/**
 * The operator: its caches and the replica controller, registered with a Manager (which owns the
 * client, leader election and the health server). `main.ts` runs it from flags.
 */
export async function createReplicaOperator(options: ReplicaOperatorOptions): Promise<Manager> {
  const { logger, metrics } = options;
  const manager = new Manager({
    name: OPERATOR_NAME,
    kubeConfig: options.kubeConfig,
    cluster: 'local',
    logger,
    metrics,
    listen: options.listen,
    leaderElection: options.leaderElect ? { namespace: options.leaderElectionNamespace, ...options.lease } : undefined,
  });
  const { client } = manager;
  const pdbType = await preferredResource<PodDisruptionBudget>(client, 'policy', ['v1', 'v1beta1'], 'poddisruptionbudgets', 'PodDisruptionBudget', true);
  if (!pdbType) throw new Error('the API server serves PodDisruptionBudgets in neither policy/v1 nor policy/v1beta1');
  logger.info({ podDisruptionBudgets: `policy/${pdbType.version}` }, 'discovered API versions');

  const caches = createCaches(client, { namespaces: options.watchNamespaces, pdbType, secretPollIntervalMs: options.secretPollIntervalMs, metrics, logger });
  for (const cache of allCaches(caches)) manager.addCache(cache);
  const reconciler = new ReplicaReconciler({
    client,
    caches,
    events: manager.events,
    pdbType,
    clusterDomain: options.clusterDomain,
    ingressClassName: options.ingressClassName,
    allowedImagePrefixes: options.allowedImagePrefixes,
    operatorVersion: releaseVersion(),
    configProbe: new ConfigAppliedProbe(client),
  });
  const controller = new Controller({
    name: 'prometheusreplica',
    reconcile: (context) => reconciler.reconcile(context),
    workers: options.workers,
    logger,
    metrics,
  });
  controller
    .watchPrimary(caches.replicas)
    .watchOwned(caches.statefulSets, KIND)
    .watchOwned(caches.deployments, KIND)
    .watchOwned(caches.services, KIND)
    .watchOwned(caches.ingresses, KIND)
    .watchOwned(caches.podDisruptionBudgets, KIND)
    .watchOwned(caches.serviceAccounts, KIND)
    .watchOwned(caches.roles, KIND)
    .watchOwned(caches.roleBindings, KIND)
    .watchOwned(caches.networkPolicies, KIND)
    .watchOwned(caches.configMaps, KIND)
    .watchMapped(caches.configMaps, (configMap) =>
      [...caches.replicas.byIndex('configMap', objectKey(configMap)), ...caches.replicas.byIndex('rulesNamespace', configMap.metadata?.namespace ?? '')].map(
        objectKey,
      ),
    )
    .watchMapped(caches.secrets, (secret) => caches.replicas.byIndex('secret', objectKey(secret)).map(objectKey))
    .watchMapped(caches.pods, byInstance)
    .watchMapped(caches.claims, byInstance);
  manager.addController(controller);
  return manager;
}
