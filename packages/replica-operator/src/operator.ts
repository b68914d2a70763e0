import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import { KubeClient, objectKey, preferredResource } from '@promfleet/kube/client';
import type { KubeConfig } from '@promfleet/kube/kubeconfig';
import { Controller } from '@promfleet/kube/controller';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import { LeaderElector, Manager } from '@promfleet/kube/runtime';
import { EventRecorder } from '@promfleet/kube/status';

import type { PodDisruptionBudget } from './builders/pdb.ts';
import { allInformers, createCaches } from './controller/caches.ts';
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
 * The operator, wired: one client, caches, the reconciler in a controller, leader election and
 * the health server in a Manager. `main.ts` runs it from flags; tests run it in-process.
 */
export async function createReplicaOperator(options: ReplicaOperatorOptions): Promise<{ manager: Manager; client: KubeClient }> {
  const { logger, metrics } = options;
  // The client exists before the Manager that decides leadership; writes ask it when they happen.
  const leadership = { isLeader: (): boolean => false };
  const client = new KubeClient(options.kubeConfig, {
    cluster: 'local',
    metrics,
    userAgent: OPERATOR_NAME,
    writeGuard: () => leadership.isLeader(),
  });
  const pdbType = await preferredResource<PodDisruptionBudget>(client, 'policy', ['v1', 'v1beta1'], 'poddisruptionbudgets', 'PodDisruptionBudget', true);
  if (!pdbType) throw new Error('the API server serves PodDisruptionBudgets in neither policy/v1 nor policy/v1beta1');
  logger.info({ podDisruptionBudgets: `policy/${pdbType.version}` }, 'discovered API versions');

  const identity = `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString('hex')}`;
  const leaderElector = options.leaderElect
    ? new LeaderElector({ client, namespace: options.leaderElectionNamespace, name: OPERATOR_NAME, identity, logger, metrics })
    : undefined;
  const caches = createCaches(client, { namespaces: options.watchNamespaces, pdbType, secretPollIntervalMs: options.secretPollIntervalMs, metrics, logger });
  const reconciler = new ReplicaReconciler({
    client,
    caches,
    events: new EventRecorder(client, { component: OPERATOR_NAME, instance: identity, logger }),
    pdbType,
    clusterDomain: options.clusterDomain,
    ingressClassName: options.ingressClassName,
    allowedImagePrefixes: options.allowedImagePrefixes,
    configProbe: new ConfigAppliedProbe(client),
  });
  const controller = new Controller({ name: 'prometheusreplica', reconcile: (context) => reconciler.reconcile(context), workers: options.workers, logger, metrics });
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
      [...caches.replicas.byIndex('configMap', objectKey(configMap)), ...caches.replicas.byIndex('rulesNamespace', configMap.metadata?.namespace ?? '')].map(objectKey),
    )
    .watchMapped(caches.secrets, (secret) => caches.replicas.byIndex('secret', objectKey(secret)).map(objectKey))
    .watchMapped(caches.pods, byInstance)
    .watchMapped(caches.claims, byInstance);

  const manager = new Manager({ logger, metrics, listen: options.listen, leaderElector });
  leadership.isLeader = () => manager.isLeader();
  for (const informer of allInformers(caches)) manager.addInformer(informer);
  manager.addController(controller);
  return { manager, client };
}
