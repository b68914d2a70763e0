import { DEFAULTS, type PrometheusReplica } from '@promfleet/api';
import {
  ConfigMaps,
  Deployments,
  Informer,
  Ingresses,
  Pods,
  PrometheusReplicas,
  ResourceClient,
  resourceType,
  Services,
  StatefulSets,
  type KitMetrics,
  type KubeClient,
  type KubeObject,
  type Logger,
  type ResourceType,
} from '@promfleet/kube';
import type { IPersistentVolumeClaim, ISecret } from 'kubernetes-models/v1';

import { checkObjstore, type ObjstoreCheck } from '../config/objstore.ts';
import type { PodDisruptionBudget } from '../builders/pdb.ts';
import { OPERATOR_NAME } from '../names.ts';

/** A bucket Secret as the operator keeps it: the verdict on objstore.yml and a hash, never the content. */
export interface SecretDigest extends KubeObject {
  readonly objstore: ObjstoreCheck;
}

const SecretDigests = resourceType<SecretDigest>('', 'v1', 'secrets', 'Secret', true);
export const PersistentVolumeClaims = resourceType<IPersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true);
// The claims of StatefulSet claim templates carry the pods' selector labels, not managed-by.
const OWN_CLAIMS = 'app.kubernetes.io/component in (prometheus,thanos-compact),app.kubernetes.io/instance';

function digest(raw: SecretDigest): SecretDigest {
  const secret = raw as unknown as ISecret;
  const name = secret.metadata?.name ?? '';
  const encoded = secret.data?.[DEFAULTS.bucketSecretKey];
  const text = encoded === undefined ? secret.stringData?.[DEFAULTS.bucketSecretKey] : Buffer.from(encoded, 'base64').toString('utf8');
  const { namespace, uid, resourceVersion } = secret.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, uid, resourceVersion }, objstore: checkObjstore(text, name) };
}

/** `namespace/name` of what a replica references, for the reverse lookups from ConfigMaps and Secrets. */
const reference = (field: 'configMap' | 'bucketSecret') => (replica: PrometheusReplica) => [`${replica.metadata.namespace ?? ''}/${replica.spec[field]}`];

export type OperatorCaches = ReturnType<typeof createCaches>;

/**
 * One informer per kind the operator reads, scoped to the watched namespace. Workloads and pods
 * are filtered to the operator's own by label; ConfigMaps are not (users' configs carry no
 * label of ours); Secrets are reduced to a digest on arrival.
 */
export function createCaches(client: KubeClient, options: { namespace: string | undefined; pdbType: ResourceType<PodDisruptionBudget>; metrics: KitMetrics; logger: Logger }) {
  const common = { namespace: options.namespace, metrics: options.metrics, logger: options.logger };
  const managedBy = `app.kubernetes.io/managed-by=${OPERATOR_NAME}`;
  const informer = <T extends KubeObject>(type: ResourceType<T>, extra: Partial<ConstructorParameters<typeof Informer<T>>[1]> = {}) =>
    new Informer<T>(new ResourceClient(client, type), { ...common, ...extra });
  return {
    replicas: informer(PrometheusReplicas, {
      indexers: {
        configMap: reference('configMap'),
        bucketSecret: reference('bucketSecret'),
        // Replicas with spec.rules, by namespace: any ConfigMap there may be one of their rule files.
        rulesNamespace: (replica: PrometheusReplica) => (replica.spec.rules ? [replica.metadata.namespace ?? ''] : []),
      },
    }),
    statefulSets: informer(StatefulSets, { labelSelector: managedBy }),
    deployments: informer(Deployments, { labelSelector: managedBy }),
    services: informer(Services, { labelSelector: managedBy }),
    ingresses: informer(Ingresses, { labelSelector: managedBy }),
    podDisruptionBudgets: informer(options.pdbType, { labelSelector: managedBy }),
    pods: informer(Pods, { labelSelector: managedBy }),
    claims: informer(PersistentVolumeClaims, { labelSelector: OWN_CLAIMS }),
    configMaps: informer(ConfigMaps),
    secrets: informer(SecretDigests, { transform: digest }),
  };
}

export function allInformers(caches: OperatorCaches): Informer<KubeObject>[] {
  return Object.values(caches) as unknown as Informer<KubeObject>[];
}
