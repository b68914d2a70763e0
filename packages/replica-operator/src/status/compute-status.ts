import { grafanaHost, queryHost, type Condition, type PrometheusReplica, type PrometheusReplicaStatus, type ReplicaPhase } from '@promfleet/api';
import { removeCondition, setConditions, type ConditionUpdate } from '@promfleet/kube/status';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPod, IService } from 'kubernetes-models/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';

import { childNames, PORTS, type Component } from '../names.ts';
import type { ClaimProblem } from '../storage/claims-plan.ts';
import { CONDITIONS, REASONS } from './conditions.ts';
import { storageCondition } from './storage-condition.ts';
import { storeAPIAddresses } from './store-api-addresses.ts';

/** An input check: fine, or a reason and message for its condition. */
export type InputCheck = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly reason: string; readonly message: string };

/** What the reconciler observed and did, the only input of the status. */
export interface ObservedState {
  readonly replica: PrometheusReplica;
  /** Spec errors the CRD schema could not catch (e.g. on clusters without CEL). */
  readonly specErrors: readonly string[];
  readonly config: InputCheck;
  readonly bucketSecret: InputCheck;
  /** The Grafana admin Secret; undefined without Grafana. */
  readonly grafanaAdmin?: InputCheck | undefined;
  /** The rule files of spec.rules; undefined without spec.rules. */
  readonly rules?: InputCheck | undefined;
  /** What the Prometheus pods say about their config (ConfigApplied). */
  readonly configApplied?: ConditionUpdate | undefined;
  /** Claims that do not match their templates; undefined when not checked (the old condition stands). */
  readonly storage?: readonly ClaimProblem[] | undefined;
  /** Why applying the children failed, when it did. */
  readonly applyError: string | undefined;
  readonly statefulSets: readonly IStatefulSet[];
  readonly deployments: readonly IDeployment[];
  readonly ingresses: readonly IIngress[];
  /** The replica's own Services (the StoreAPI's LoadBalancer reports its addresses). */
  readonly services: readonly IService[];
  readonly pods: readonly IPod[];
  readonly clusterDomain: string;
  /** This operator's release version, reported so the hub can show which members run which. */
  readonly operatorVersion: string;
  readonly now: Date;
}

interface Tier {
  readonly component: Component;
  readonly desired: number;
  readonly ready: number;
  readonly settled: boolean;
}

/**
 * A StatefulSet's tier; from its pods while it has none to speak for them: deleted (and pods
 * orphaned) to be recreated with new claim templates, or just created and not yet observed by
 * its controller. Pods keep serving meanwhile, and readiness must not flap.
 * A status observed at a generation the object has not reached is its predecessor's: the
 * StatefulSet controller retries a conflicting status write on whatever its cache holds under
 * that name, so the deleted set's last status (no pods, once they were orphaned) can land on
 * the set that replaced it, and stays until the controller next has a reason to write.
 */
function statefulSetTier(component: Component, set: IStatefulSet | undefined, pods: readonly IPod[], desiredReplicas: number): Tier | undefined {
  if (
    !set ||
    set.metadata?.deletionTimestamp ||
    set.status?.observedGeneration === undefined ||
    set.status.observedGeneration > (set.metadata?.generation ?? 0)
  ) {
    const own = pods.filter((pod) => pod.metadata?.labels?.['app.kubernetes.io/component'] === component && !pod.metadata.deletionTimestamp);
    if (own.length === 0) return set && !set.metadata?.deletionTimestamp ? { component, desired: desiredReplicas, ready: 0, settled: false } : undefined;
    const ready = own.filter((pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True')).length;
    return { component, desired: desiredReplicas, ready: Math.min(ready, desiredReplicas), settled: own.length === desiredReplicas };
  }
  const desired = set.spec?.replicas ?? 1;
  const status = set.status;
  const settled =
    (status.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) &&
    (status.updatedReplicas ?? 0) === desired &&
    (status.currentRevision === undefined || status.currentRevision === status.updateRevision);
  return { component, desired, ready: Math.min(status.readyReplicas ?? 0, desired), settled };
}

function deploymentTier(component: Component, deployment: IDeployment | undefined): Tier | undefined {
  if (!deployment) return undefined;
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status;
  const settled =
    (status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
    (status?.updatedReplicas ?? 0) === desired &&
    (status?.replicas ?? 0) === desired;
  return { component, desired, ready: Math.min(status?.readyReplicas ?? 0, desired), settled };
}

function podNames(pods: readonly IPod[], replica: string, component: Component): string[] {
  return pods
    .filter((pod) => pod.metadata?.labels?.['app.kubernetes.io/instance'] === replica && pod.metadata.labels['app.kubernetes.io/component'] === component)
    .map((pod) => pod.metadata?.name ?? '')
    .sort();
}

function ingressAddresses(ingresses: readonly IIngress[], name: string): string[] {
  const addresses = ingresses
    .filter((ingress) => ingress.metadata?.name === name)
    .flatMap((ingress) => (ingress.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? entry.hostname ?? ''))
    .filter(Boolean);
  return [...new Set(addresses)].sort();
}

/**
 * The replica's status from what exists: tiers from workload status, pod names per tier,
 * Ingress addresses, and conditions that keep their transition times while unchanged.
 */
export function computeStatus(state: ObservedState): PrometheusReplicaStatus {
  const { replica } = state;
  const { name } = replica.metadata;
  const namespace = replica.metadata.namespace ?? 'default';
  const names = childNames(name);
  const find = <T extends { metadata?: { name?: string } }>(list: readonly T[], child: string) => list.find((object) => object.metadata?.name === child);
  const grafanaEnabled = replica.spec.grafana?.enabled === true;
  // A replica that failed validation is read as stored, without the schema's defaults.
  const compaction = (replica.spec as Partial<PrometheusReplica['spec']>).compaction ?? { enabled: true, storage: undefined };
  const tiers = [
    statefulSetTier('prometheus', find(state.statefulSets, names.prometheus), state.pods, replica.spec.highlyAvailable ? 2 : 1),
    statefulSetTier('thanos-store', find(state.statefulSets, names.store), state.pods, 1),
    deploymentTier('thanos-query', find(state.deployments, names.query)),
    ...(grafanaEnabled ? [deploymentTier('grafana', find(state.deployments, names.grafana))] : []),
  ];
  const existing = tiers.filter((tier): tier is Tier => tier !== undefined);
  const expectedTiers = grafanaEnabled ? 4 : 3;
  const ready = existing.reduce((sum, tier) => sum + tier.ready, 0);
  const desired = existing.reduce((sum, tier) => sum + tier.desired, 0);
  const allReady = existing.length === expectedTiers && existing.every((tier) => tier.ready === tier.desired && tier.settled);
  const failedPods = state.pods.some((pod) => pod.status?.phase === 'Failed');
  const grafanaAdmin = state.grafanaAdmin ?? { ok: true, message: '' };
  const inputsValid = state.specErrors.length === 0 && state.config.ok && state.bucketSecret.ok && grafanaAdmin.ok && state.rules?.ok !== false;
  const previous = replica.status?.phase;

  let phase: ReplicaPhase;
  if (replica.spec.paused) phase = 'Paused';
  else if (!inputsValid) phase = 'Failed';
  else if (existing.length === 0) phase = 'Pending';
  else if (allReady && state.applyError === undefined) phase = 'Running';
  else if (failedPods || previous === 'Running' || previous === 'Degraded') phase = 'Degraded';
  else phase = 'Creating';

  const notReady = existing
    .filter((tier) => tier.ready < tier.desired || !tier.settled)
    .map((tier) => `${tier.component} ${String(tier.ready)}/${String(tier.desired)} ready`);
  const inputProblem =
    state.specErrors[0] ??
    (state.config.ok ? undefined : state.config.message) ??
    (state.bucketSecret.ok ? undefined : state.bucketSecret.message) ??
    (grafanaAdmin.ok ? undefined : grafanaAdmin.message) ??
    (state.rules?.ok === false ? state.rules.message : undefined);
  const updates: ConditionUpdate[] = [
    phase === 'Running'
      ? { type: CONDITIONS.ready, status: 'True', reason: REASONS.allTiersReady, message: `${String(ready)}/${String(desired)} pods ready` }
      : {
          type: CONDITIONS.ready,
          status: 'False',
          reason: replica.spec.paused ? REASONS.paused : inputsValid ? REASONS.tiersNotReady : REASONS.waitingForInput,
          message: replica.spec.paused ? 'reconciling is paused (spec.paused)' : (inputProblem ?? (notReady.join(', ') || 'waiting for workloads')),
        },
    replica.spec.paused
      ? { type: CONDITIONS.reconciled, status: 'False', reason: REASONS.paused, message: 'reconciling is paused (spec.paused); children are left as they are' }
      : state.specErrors.length > 0
        ? { type: CONDITIONS.reconciled, status: 'False', reason: REASONS.specInvalid, message: state.specErrors.join('; ') }
        : !inputsValid
          ? {
              type: CONDITIONS.reconciled,
              status: 'False',
              reason: REASONS.waitingForInput,
              message: `children are left as they are until the input is fixed: ${inputProblem ?? ''}`,
            }
          : state.applyError !== undefined
            ? { type: CONDITIONS.reconciled, status: 'False', reason: REASONS.reconcileFailed, message: state.applyError }
            : { type: CONDITIONS.reconciled, status: 'True', reason: REASONS.reconcileSucceeded, message: 'all children are as desired' },
    inputCondition(CONDITIONS.configValid, state.config),
    inputCondition(CONDITIONS.bucketSecretValid, state.bucketSecret),
    replica.spec.storage
      ? {
          type: CONDITIONS.persistentStorage,
          status: 'True',
          reason: REASONS.persistentVolumeClaim,
          message: `each Prometheus pod has a ${String(replica.spec.storage.size)} PersistentVolumeClaim`,
        }
      : {
          type: CONDITIONS.persistentStorage,
          status: 'False',
          reason: REASONS.emptyDir,
          message: 'no spec.storage: Prometheus data lives in an emptyDir and is lost when a pod restarts',
        },
  ];
  if (state.grafanaAdmin) {
    updates.push(
      state.grafanaAdmin.ok
        ? { type: CONDITIONS.grafanaAdminSecretValid, status: 'True', reason: REASONS.valid, message: state.grafanaAdmin.message }
        : { type: CONDITIONS.grafanaAdminSecretValid, status: 'False', reason: state.grafanaAdmin.reason, message: state.grafanaAdmin.message },
    );
  }
  if (state.rules) updates.push(inputCondition(CONDITIONS.rulesValid, state.rules));
  if (state.configApplied) updates.push(state.configApplied);
  const claims = replica.spec.storage !== undefined || (compaction.enabled && compaction.storage !== undefined);
  if (claims && state.storage) updates.push(storageCondition(state.storage));
  const compactor = compaction.enabled ? statefulSetTier('thanos-compact', find(state.statefulSets, names.compactor), state.pods, 1) : undefined;
  if (compaction.enabled) {
    const ready = compactor !== undefined && compactor.ready === compactor.desired;
    updates.push({
      type: CONDITIONS.compactorReady,
      status: ready ? 'True' : 'False',
      reason: ready ? REASONS.compactorRunning : REASONS.compactorNotReady,
      message: ready
        ? 'the Thanos Compactor compacts, downsamples and applies retention to this replica’s blocks'
        : `compactor ${String(compactor?.ready ?? 0)}/1 ready`,
    });
  }
  let previousConditions = replica.status?.conditions;
  for (const [type, present] of [
    [CONDITIONS.grafanaAdminSecretValid, state.grafanaAdmin !== undefined],
    [CONDITIONS.rulesValid, state.rules !== undefined],
    [CONDITIONS.storageUpToDate, claims],
    [CONDITIONS.compactorReady, compaction.enabled],
  ] as const) {
    if (!present) previousConditions = removeCondition(previousConditions, type);
  }
  const conditions: Condition[] = setConditions(previousConditions, updates, replica.metadata.generation, state.now);

  const addresses = ingressAddresses(state.ingresses, names.ingress);
  const storeAPI = storeAPIAddresses(replica, names.storeAPI, state.services, state.ingresses);
  const { baseDomain } = replica.spec;
  return {
    ...(replica.metadata.generation !== undefined ? { observedGeneration: replica.metadata.generation } : {}),
    phase,
    readyPods: `${String(ready)}/${String(desired)}`,
    conditions,
    output: {
      query: `http://${names.query}.${namespace}.svc.${state.clusterDomain}:${String(PORTS.queryHttp)}`,
      ...(baseDomain ? { queryHost: queryHost(baseDomain) } : {}),
      ...(baseDomain && grafanaEnabled ? { grafanaHost: grafanaHost(baseDomain) } : {}),
      ...(addresses.length > 0 ? { addresses } : {}),
      ...(storeAPI.length > 0 ? { storeAPI } : {}),
    },
    local: {
      prometheus: podNames(state.pods, name, 'prometheus'),
      query: podNames(state.pods, name, 'thanos-query'),
      store: podNames(state.pods, name, 'thanos-store'),
      ...(compaction.enabled ? { compactor: podNames(state.pods, name, 'thanos-compact') } : {}),
      ...(grafanaEnabled ? { grafana: podNames(state.pods, name, 'grafana') } : {}),
    },
    operatorVersion: state.operatorVersion,
  };
}

function inputCondition(type: string, check: InputCheck): ConditionUpdate {
  return check.ok
    ? { type, status: 'True', reason: REASONS.valid, message: check.message }
    : { type, status: 'False', reason: check.reason, message: check.message };
}
