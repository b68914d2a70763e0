import { FIELD_MANAGERS, formatFieldError, validate, type PrometheusReplica } from '@promfleet/api';
import {
  Applier,
  errorMessage,
  ConfigMaps,
  Deployments,
  Ingresses,
  objectKey,
  PrometheusReplicas,
  ResourceClient,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  StatefulSets,
  splitKey,
  transitionEvents,
  type EventRecorder,
  type SharedInformer,
  type KubeClient,
  type KubeObject,
  type ReconcileContext,
  type ResourceType,
} from '@promfleet/kube';

import { desiredChildren, type DesiredChildren } from '../builders/children.ts';
import type { PodDisruptionBudget } from '../builders/pdb.ts';
import { renderPrometheusConfig } from '../config/prometheus-config.ts';
import { computeStatus, type InputCheck } from '../status/compute-status.ts';
import { REASONS } from '../status/conditions.ts';
import { NetworkPolicies, type OperatorCaches } from './caches.ts';
import { checkImages, GrafanaAdminSecrets } from './security-inputs.ts';

export interface ReconcilerOptions {
  readonly client: KubeClient;
  readonly caches: OperatorCaches;
  readonly events: EventRecorder;
  readonly pdbType: ResourceType<PodDisruptionBudget>;
  readonly clusterDomain: string;
  readonly ingressClassName: string | undefined;
  /** Images a replica may run (--allowed-image-prefixes). */
  readonly allowedImagePrefixes: readonly string[];
  /** Reported in every replica's status. */
  readonly operatorVersion: string;
}

interface ChildKind<T extends KubeObject> {
  readonly resources: ResourceClient<T>;
  readonly cache: SharedInformer<T>;
  readonly desired: (children: DesiredChildren) => readonly T[];
}

/**
 * Reconciles one PrometheusReplica: validates it and what it references (from caches), applies
 * the desired children, deletes the ones no longer desired, and writes status when it changed.
 * Invalid input stops changes to the children — what runs keeps running — and is reported.
 */
/** Ready=False on the way up: pods starting, or waiting on what Reconciled already warns about, or paused on purpose. */
const STILL_STARTING: ReadonlySet<string> = new Set([REASONS.tiersNotReady, REASONS.waitingForInput, REASONS.paused]);

export class ReplicaReconciler {
  readonly #options: ReconcilerOptions;
  readonly #applier = new Applier(FIELD_MANAGERS.replicaOperator);
  readonly #replicas: ResourceClient<PrometheusReplica>;
  readonly #kinds: ChildKind<KubeObject>[];
  readonly #grafanaAdmin: GrafanaAdminSecrets;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    const { client, caches } = options;
    this.#replicas = new ResourceClient(client, PrometheusReplicas);
    const kind = <T extends KubeObject>(type: ResourceType<T>, cache: SharedInformer<T>, desired: (children: DesiredChildren) => readonly T[]) =>
      ({ resources: new ResourceClient(client, type), cache, desired }) as unknown as ChildKind<KubeObject>;
    this.#grafanaAdmin = new GrafanaAdminSecrets(client, caches.secrets, options.events);
    // Identity and NetworkPolicies before the workloads, so no pod starts without them.
    this.#kinds = [
      kind(ServiceAccounts, caches.serviceAccounts, (c) => c.serviceAccounts),
      kind(Roles, caches.roles, (c) => c.roles),
      kind(RoleBindings, caches.roleBindings, (c) => c.roleBindings),
      kind(NetworkPolicies, caches.networkPolicies, (c) => c.networkPolicies),
      kind(ConfigMaps, caches.configMaps, (c) => c.configMaps),
      kind(Services, caches.services, (c) => c.services),
      kind(StatefulSets, caches.statefulSets, (c) => c.statefulSets),
      kind(Deployments, caches.deployments, (c) => c.deployments),
      kind(Ingresses, caches.ingresses, (c) => c.ingresses),
      kind(options.pdbType, caches.podDisruptionBudgets, (c) => c.podDisruptionBudgets),
    ];
  }

  async reconcile({ key, logger }: ReconcileContext): Promise<undefined> {
    const { caches, events } = this.#options;
    const live = caches.replicas.get(key);
    // Deleted, or going: owner references let the garbage collector remove the children.
    if (!live || live.metadata.deletionTimestamp) return undefined;
    const { namespace = 'default' } = splitKey(key);

    const parsed = validate('PrometheusReplica', live);
    const replica = parsed.ok ? parsed.value : live;
    const specErrors = parsed.ok ? [] : parsed.errors.map(formatFieldError);
    // An image outside the allow-list stops every change, as invalid input does: what runs keeps its images.
    const images = parsed.ok ? checkImages(replica, this.#options.allowedImagePrefixes) : undefined;
    const config = images ?? this.#checkConfig(replica, namespace);
    const bucketSecret = await this.#checkBucketSecret(replica, namespace);
    const grafanaAdmin = parsed.ok ? await this.#grafanaAdmin.resolve(replica, !replica.spec.paused && images === undefined) : undefined;

    let applyError: string | undefined;
    let thrown: Error | undefined;
    if (!replica.spec.paused && specErrors.length === 0 && config.ok && bucketSecret.ok && (grafanaAdmin?.ok ?? true)) {
      try {
        const children = desiredChildren(replica, {
          config: { text: config.text, hash: config.hash },
          bucketSecretHash: bucketSecret.hash,
          clusterDomain: this.#options.clusterDomain,
          ingressClassName: this.#options.ingressClassName,
          pdbApiVersion: this.#options.pdbType.version === 'v1' ? 'policy/v1' : 'policy/v1beta1',
          grafanaAdmin: grafanaAdmin?.ok ? { secretName: grafanaAdmin.secretName, hash: grafanaAdmin.hash } : undefined,
        });
        const changed = await this.#sync(replica, children);
        if (changed.length > 0) logger.debug({ changed }, 'children updated');
      } catch (error) {
        thrown = error instanceof Error ? error : new Error(errorMessage(error));
        applyError = thrown.message;
      }
    }

    const uid = live.metadata.uid ?? '';
    const status = computeStatus({
      replica: live,
      specErrors,
      config: config.ok ? { ok: true, message: config.message } : config,
      bucketSecret: bucketSecret.ok ? { ok: true, message: bucketSecret.message } : bucketSecret,
      grafanaAdmin,
      applyError,
      statefulSets: caches.statefulSets.byIndex('owner', uid),
      deployments: caches.deployments.byIndex('owner', uid),
      ingresses: caches.ingresses.byIndex('owner', uid),
      pods: caches.pods.byIndex('label', `app.kubernetes.io/instance=${live.metadata.name}`).filter((pod) => pod.metadata?.namespace === namespace),
      clusterDomain: this.#options.clusterDomain,
      operatorVersion: this.#options.operatorVersion,
      now: new Date(),
    });
    const written = await this.#applier.applyStatus(this.#replicas, live, status);
    if (written.changed) {
      for (const event of transitionEvents(live.status?.conditions, status.conditions ?? [], { benign: STILL_STARTING })) {
        await events.record(live, event.type, event.reason, event.message);
      }
    }
    if (thrown !== undefined) throw thrown;
    return undefined;
  }

  #checkConfig(replica: PrometheusReplica, namespace: string) {
    const configMap = this.#options.caches.configMaps.get(`${namespace}/${replica.spec.configMap}`);
    const rendered = renderPrometheusConfig({
      configMapName: replica.spec.configMap,
      key: replica.spec.configMapKey,
      data: configMap ? (configMap.data ?? {}) : undefined,
      clusterName: replica.spec.clusterName ?? namespace,
      externalLabels: replica.spec.externalLabels,
    });
    if (!rendered.ok) return rendered;
    const note = rendered.overridden.length > 0 ? `; the config's own ${rendered.overridden.join(' and ')} external label is replaced by the operator's` : '';
    return { ...rendered, message: `ConfigMap ${replica.spec.configMap} key ${replica.spec.configMapKey} is a valid Prometheus config${note}` };
  }

  async #checkBucketSecret(replica: PrometheusReplica, namespace: string): Promise<(InputCheck & { ok: false }) | { ok: true; hash: string; message: string }> {
    const secret = await this.#options.caches.secrets.load(`${namespace}/${replica.spec.bucketSecret}`);
    if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${replica.spec.bucketSecret} not found` };
    if (!secret.objstore.ok) return secret.objstore;
    return { ok: true, hash: secret.objstore.hash, message: `Secret ${replica.spec.bucketSecret} holds a valid ${secret.objstore.type} objstore config` };
  }

  /** Applies every desired child and deletes owned children that are no longer desired. */
  async #sync(replica: PrometheusReplica, children: DesiredChildren): Promise<string[]> {
    const changed: string[] = [];
    const uid = replica.metadata.uid ?? '';
    for (const { resources, cache, desired } of this.#kinds) {
      const wanted = desired(children);
      const results = await Promise.all(wanted.map((object) => this.#applier.apply(resources, object, cache.get(objectKey(object)))));
      results.forEach((result, i) => {
        if (result.changed) changed.push(`${resources.type.kind}/${wanted[i]?.metadata?.name ?? ''}`);
      });
      const names = new Set(wanted.map((object) => object.metadata?.name));
      for (const object of cache.byIndex('owner', uid)) {
        const { name, namespace } = object.metadata ?? {};
        if (name === undefined || names.has(name)) continue;
        await resources.delete(name, namespace, { preconditions: { uid: object.metadata?.uid ?? '' }, propagationPolicy: 'Background' });
        changed.push(`${resources.type.kind}/${name} (deleted)`);
      }
    }
    return changed;
  }
}
