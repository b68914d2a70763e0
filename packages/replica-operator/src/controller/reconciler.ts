import { ANNOTATIONS, FIELD_MANAGERS, formatFieldError, validate, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import type { SharedInformer } from '@promfleet/kube/cache';
import {
  errorMessage,
  ConfigMaps,
  Deployments,
  Ingresses,
  Pods,
  ResourceClient,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  StatefulSets,
  splitKey,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '@promfleet/kube/client';
import { updateStatus, type ReconcileContext, type ReconcileResult } from '@promfleet/kube/controller';
import type { EventRecorder } from '@promfleet/kube/status';
import type { IPod } from 'kubernetes-models/v1';

import { desiredChildren, type DesiredChildren } from '../builders/children.ts';
import type { PodDisruptionBudget } from '../builders/pdb.ts';
import { renderPrometheusConfig } from '../config/prometheus-config.ts';
import { checkRules } from '../config/rules.ts';
import { childNames } from '../names.ts';
import { computeStatus, type InputCheck } from '../status/compute-status.ts';
import { configAppliedCondition, type ConfigAppliedProbe } from '../status/config-applied.ts';
import { REASONS } from '../status/conditions.ts';
import type { ClaimProblem } from '../storage/claims-plan.ts';
import { StorageMigration } from '../storage/storage-migration.ts';
import { NetworkPolicies, PersistentVolumeClaims, type OperatorCaches } from './caches.ts';
import { freshest, syncChildren, type ChildKind } from './child-sync.ts';
import { checkImages, GrafanaAdminSecrets } from './security-inputs.ts';
import { storeAPIHost } from '../builders/store-api.ts';

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
  readonly configProbe?: ConfigAppliedProbe | undefined;
}

// How often Prometheus is asked about its config: soon while it has not loaded the latest.
const PROBE_SETTLED_MS = 60_000;
const PROBE_PENDING_MS = 10_000;

/**
 * Reconciles one PrometheusReplica: validates it and what it references (from caches), applies
 * the desired children, deletes the ones no longer desired, and writes status when it changed.
 * Invalid input stops changes to the children — what runs keeps running — and is reported.
 */
/**
 * Ready=False on the way up: pods starting, or waiting on what Reconciled already warns about, or
 * paused on purpose; claims growing and a Compactor starting are progress, not problems.
 */
const STILL_STARTING: ReadonlySet<string> = new Set([
  REASONS.tiersNotReady,
  REASONS.waitingForInput,
  REASONS.paused,
  REASONS.resizing,
  REASONS.compactorNotReady,
]);

export class ReplicaReconciler {
  readonly #options: ReconcilerOptions;
  readonly #applier = new Applier(FIELD_MANAGERS.replicaOperator, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #replicas: ResourceClient<PrometheusReplica>;
  readonly #kinds: ChildKind[];
  readonly #migration: StorageMigration;
  readonly #grafanaAdmin: GrafanaAdminSecrets;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    const { client, caches } = options;
    this.#replicas = new ResourceClient(client, PrometheusReplicas);
    const statefulSets = new ResourceClient(client, StatefulSets);
    this.#migration = new StorageMigration({
      applier: this.#applier,
      statefulSets,
      claims: new ResourceClient(client, PersistentVolumeClaims),
      claimCache: caches.claims,
      pods: new ResourceClient(client, Pods),
      podCache: caches.pods,
      events: options.events,
    });
    const kind = <T extends KubeObject>(
      type: ResourceType<T>,
      cache: SharedInformer<T>,
      desired: (children: DesiredChildren) => readonly T[],
      apply?: ChildKind<T>['apply'],
    ) => ({ resources: new ResourceClient(client, type), cache, desired, apply }) as unknown as ChildKind;
    this.#grafanaAdmin = new GrafanaAdminSecrets(client, caches.secrets, options.events);
    // Identity and NetworkPolicies before the workloads, so no pod starts without them.
    this.#kinds = [
      kind(ServiceAccounts, caches.serviceAccounts, (c) => c.serviceAccounts),
      kind(Roles, caches.roles, (c) => c.roles),
      kind(RoleBindings, caches.roleBindings, (c) => c.roleBindings),
      kind(NetworkPolicies, caches.networkPolicies, (c) => c.networkPolicies),
      kind(ConfigMaps, caches.configMaps, (c) => c.configMaps),
      kind(Services, caches.services, (c) => c.services),
      kind(
        StatefulSets,
        caches.statefulSets,
        (c) => c.statefulSets,
        (replica, desired, live) => this.#migration.apply(replica, desired, live),
      ),
      kind(Deployments, caches.deployments, (c) => c.deployments),
      kind(Ingresses, caches.ingresses, (c) => c.ingresses),
      kind(options.pdbType, caches.podDisruptionBudgets, (c) => c.podDisruptionBudgets),
    ];
  }

  async reconcile({ key, logger }: ReconcileContext): Promise<ReconcileResult | undefined> {
    const { caches, events } = this.#options;
    const live = caches.replicas.get(key);
    // Deleted, or going: owner references let the garbage collector remove the children.
    if (!live || live.metadata.deletionTimestamp) return undefined;
    const { namespace = 'default' } = splitKey(key);

    const parsed = validate('PrometheusReplica', live);
    const replica = parsed.ok ? parsed.value : live;
    const specErrors = parsed.ok ? storeAPIErrors(parsed.value) : parsed.errors.map(formatFieldError);
    // An image outside the allow-list stops every change, as invalid input does: what runs keeps its images.
    const images = parsed.ok ? checkImages(replica, this.#options.allowedImagePrefixes) : undefined;
    const config = images ?? this.#checkConfig(replica, namespace);
    const bucketSecret = await this.#checkBucketSecret(replica, namespace);
    const grafanaAdmin = parsed.ok ? await this.#grafanaAdmin.resolve(replica, !replica.spec.paused && images === undefined) : undefined;
    const rules = replica.spec.rules ? checkRules(replica.spec.rules, caches.configMaps.byIndex('namespace', namespace)) : undefined;

    const errors: string[] = [];
    let storage: ClaimProblem[] | undefined;
    let written: ReadonlyMap<string, KubeObject> = new Map();
    if (!replica.spec.paused && specErrors.length === 0 && config.ok && bucketSecret.ok && (grafanaAdmin?.ok ?? true) && rules?.ok !== false) {
      try {
        const children = desiredChildren(replica, {
          config: { text: config.text, hash: config.hash, marker: config.marker },
          rules: rules ? { files: rules.files, hash: rules.hash } : undefined,
          bucketSecretHash: bucketSecret.hash,
          clusterDomain: this.#options.clusterDomain,
          ingressClassName: this.#options.ingressClassName,
          pdbApiVersion: this.#options.pdbType.version === 'v1' ? 'policy/v1' : 'policy/v1beta1',
          grafanaAdmin: grafanaAdmin?.ok ? { secretName: grafanaAdmin.secretName, hash: grafanaAdmin.hash } : undefined,
        });
        const synced = await syncChildren(replica, children, this.#kinds, this.#applier);
        written = synced.written;
        const claims = await this.#migration.resizeClaims(replica, children.statefulSets);
        storage = claims.problems;
        errors.push(...synced.errors);
        const changed = [...synced.changed, ...claims.changed];
        if (changed.length > 0) logger.debug({ changed }, 'children updated');
      } catch (error) {
        errors.push(errorMessage(error));
      }
    }
    const applyError = errors.length > 0 ? errors.join('; ') : undefined;

    const uid = live.metadata.uid ?? '';
    const pods = caches.pods.byIndex('label', `app.kubernetes.io/instance=${live.metadata.name}`).filter((pod) => pod.metadata?.namespace === namespace);
    const configApplied = await this.#configApplied(live, namespace, pods);
    const status = computeStatus({
      replica: parsed.ok ? { ...parsed.value, status: live.status } : live,
      specErrors,
      config: config.ok ? { ok: true, message: config.message } : config,
      bucketSecret: bucketSecret.ok ? { ok: true, message: bucketSecret.message } : bucketSecret,
      grafanaAdmin,
      rules: rules && (rules.ok ? { ok: true, message: rules.message } : rules),
      configApplied,
      storage,
      applyError,
      statefulSets: freshest(caches.statefulSets.byIndex('owner', uid), 'StatefulSet', written),
      deployments: freshest(caches.deployments.byIndex('owner', uid), 'Deployment', written),
      ingresses: caches.ingresses.byIndex('owner', uid),
      services: caches.services.byIndex('owner', uid),
      pods,
      clusterDomain: this.#options.clusterDomain,
      operatorVersion: this.#options.operatorVersion,
      now: new Date(),
    });
    await updateStatus(live, status, { applier: this.#applier, resources: this.#replicas, events, transitions: { benign: STILL_STARTING } });
    // Failed children are retried with backoff; every other child was applied all the same.
    if (applyError !== undefined) throw new Error(applyError);
    if (configApplied === undefined) return undefined;
    return { requeueAfterMs: configApplied.status === 'True' ? PROBE_SETTLED_MS : PROBE_PENDING_MS };
  }

  /** ConfigApplied from the running Prometheus pods, or undefined before there are any to ask. */
  async #configApplied(replica: PrometheusReplica, namespace: string, pods: readonly IPod[]) {
    const probe = this.#options.configProbe;
    const prometheus = pods.filter(
      (pod) => pod.metadata?.labels?.['app.kubernetes.io/component'] === 'prometheus' && !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running',
    );
    if (!probe || prometheus.length === 0) return undefined;
    const owned = this.#options.caches.configMaps.get(`${namespace}/${childNames(replica.metadata.name).prometheusConfig}`);
    const expected = owned?.metadata?.annotations?.[ANNOTATIONS.configHash];
    return configAppliedCondition(await probe.check(prometheus, expected), expected);
  }

  #checkConfig(replica: PrometheusReplica, namespace: string) {
    const configMap = this.#options.caches.configMaps.get(`${namespace}/${replica.spec.configMap}`);
    const rendered = renderPrometheusConfig({
      configMapName: replica.spec.configMap,
      key: replica.spec.configMapKey,
      data: configMap ? (configMap.data ?? {}) : undefined,
      clusterName: replica.spec.clusterName ?? namespace,
      externalLabels: replica.spec.externalLabels,
      rules: replica.spec.rules !== undefined,
      alertmanagers: replica.spec.alertmanagers,
    });
    if (!rendered.ok) return rendered;
    const note = rendered.overridden.length > 0 ? `; the config's own ${rendered.overridden.join(' and ')} external label is replaced by the operator's` : '';
    return {
      ...rendered,
      message: `ConfigMap ${replica.spec.configMap} key ${replica.spec.configMapKey} passes the operator's checks (known fields, durations, scrape timeouts, targets, relabel rules and their RE2 regexes, external label variables)${note}; Prometheus' own verdict is ConfigApplied`,
    };
  }

  async #checkBucketSecret(replica: PrometheusReplica, namespace: string): Promise<(InputCheck & { ok: false }) | { ok: true; hash: string; message: string }> {
    const secret = await this.#options.caches.secrets.load(`${namespace}/${replica.spec.bucketSecret}`);
    if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${replica.spec.bucketSecret} not found` };
    if (!secret.objstore.ok) return secret.objstore;
    return { ok: true, hash: secret.objstore.hash, message: `Secret ${replica.spec.bucketSecret} holds a valid ${secret.objstore.type} objstore config` };
  }
}

/** A StoreAPI host whose placeholders cannot be filled in here (a label placeholder in a replica made by hand). */
function storeAPIErrors(replica: PrometheusReplica): string[] {
  const host = storeAPIHost(replica);
  return host && !host.ok ? [`spec.storeAPI.host: ${host.message}`] : [];
}
