import { DEFAULTS, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { namespacedInformer, PolledObjects, type Cache, type InformerOptions, type SharedInformer } from '@promfleet/kube/cache';
import {
  ConfigMaps,
  Deployments,
  Ingresses,
  Pods,
  ResourceClient,
  resourceType,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  StatefulSets,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '@promfleet/kube/client';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';
import type { IPersistentVolumeClaim, ISecret } from 'kubernetes-models/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';

import { checkGrafanaAdmin, type GrafanaAdminCheck } from '../config/grafana-admin.ts';
import { checkObjstore, type ObjstoreCheck } from '../config/objstore.ts';
import type { PodDisruptionBudget } from '../builders/pdb.ts';
import { childNames, OPERATOR_NAME } from '../names.ts';

/** A Secret as the operator keeps it: verdicts and hashes of what it may hold, never the content. */
export interface SecretDigest extends KubeObject {
  readonly objstore: ObjstoreCheck;
  readonly grafanaAdmin: GrafanaAdminCheck;
}

const SecretDigests = resourceType<SecretDigest>('', 'v1', 'secrets', 'Secret', true);
export const NetworkPolicies = resourceType<INetworkPolicy>('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true);
export const PersistentVolumeClaims = resourceType<IPersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true);
// The claims of StatefulSet claim templates carry the pods' selector labels, not managed-by.
const OWN_CLAIMS = 'app.kubernetes.io/component in (prometheus,thanos-compact),app.kubernetes.io/instance';

function digest(raw: SecretDigest): SecretDigest {
  const secret = raw as unknown as ISecret;
  const name = secret.metadata?.name ?? '';
  const encoded = secret.data?.[DEFAULTS.bucketSecretKey];
  const text = encoded === undefined ? secret.stringData?.[DEFAULTS.bucketSecretKey] : Buffer.from(encoded, 'base64').toString('utf8');
  const { namespace, uid, resourceVersion, ownerReferences } = secret.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, uid, resourceVersion, ownerReferences },
    objstore: checkObjstore(text, name),
    grafanaAdmin: checkGrafanaAdmin(secret.data, name),
  };
}

/** The Grafana admin Secret a replica uses: the one it names, or the one the operator generates. */
export function grafanaAdminSecretName(replica: PrometheusReplica): string | undefined {
  if (replica.spec.grafana?.enabled !== true) return undefined;
  return replica.spec.grafana.adminSecret ?? childNames(replica.metadata.name).grafanaAdmin;
}

/** `namespace/name` of every Secret a replica reads. */
export function secretKeys(replica: PrometheusReplica): string[] {
  const namespace = replica.metadata.namespace ?? '';
  // Read from the cache before validation: a malformed spec names no Secret.
  const names = [replica.spec.bucketSecret, grafanaAdminSecretName(replica)].filter((name): name is string => typeof name === 'string' && name !== '');
  return names.map((name) => `${namespace}/${name}`);
}

/** `namespace/name` of the ConfigMap a replica references, for the reverse lookup from ConfigMaps. */
const configMapKey = (replica: PrometheusReplica) => [`${replica.metadata.namespace ?? ''}/${replica.spec.configMap}`];

export type OperatorCaches = ReturnType<typeof createCaches>;

export interface CacheOptions {
  /** Empty: every namespace. */
  readonly namespaces: readonly string[];
  readonly pdbType: ResourceType<PodDisruptionBudget>;
  readonly secretPollIntervalMs: number;
  readonly metrics: KitMetrics;
  readonly logger: Logger;
}

/**
 * One cache per kind the operator reads, over the namespaces it serves (one list+watch per
 * namespace when it serves several: its rights are Roles there). Workloads and pods are
 * filtered to the operator's own by label; ConfigMaps are not (users' configs carry no label
 * of ours). Secrets are never listed or watched: the ones replicas name are read with GET and
 * re-read every poll interval, and reduced to a digest on arrival.
 */
export function createCaches(client: KubeClient, options: CacheOptions) {
  const common = { metrics: options.metrics, logger: options.logger };
  const managedBy = `app.kubernetes.io/managed-by=${OPERATOR_NAME}`;
  const informer = <T extends KubeObject>(type: ResourceType<T>, extra: Omit<InformerOptions<T>, 'namespace'> = {}): SharedInformer<T> =>
    namespacedInformer<T>(new ResourceClient(client, type), options.namespaces, { ...common, ...extra });
  const replicas = informer(PrometheusReplicas, {
    indexers: {
      configMap: configMapKey,
      secret: secretKeys,
      // Replicas with spec.rules, by namespace: any ConfigMap there may be one of their rule files.
      rulesNamespace: (replica: PrometheusReplica) => (replica.spec.rules ? [replica.metadata.namespace ?? ''] : []),
    },
  });
  return {
    replicas,
    statefulSets: informer(StatefulSets, { labelSelector: managedBy }),
    deployments: informer(Deployments, { labelSelector: managedBy }),
    services: informer(Services, { labelSelector: managedBy }),
    ingresses: informer(Ingresses, { labelSelector: managedBy }),
    podDisruptionBudgets: informer(options.pdbType, { labelSelector: managedBy }),
    serviceAccounts: informer(ServiceAccounts, { labelSelector: managedBy }),
    roles: informer(Roles, { labelSelector: managedBy }),
    roleBindings: informer(RoleBindings, { labelSelector: managedBy }),
    networkPolicies: informer(NetworkPolicies, { labelSelector: managedBy }),
    pods: informer(Pods, { labelSelector: managedBy }),
    claims: informer(PersistentVolumeClaims, { labelSelector: OWN_CLAIMS }),
    configMaps: informer(ConfigMaps),
    secrets: new PolledObjects(new ResourceClient(client, SecretDigests), {
      ...common,
      keys: () => replicas.list().flatMap(secretKeys),
      intervalMs: options.secretPollIntervalMs,
      transform: digest,
    }),
  };
}

export function allCaches(caches: OperatorCaches): Cache[] {
  return Object.values(caches);
}
