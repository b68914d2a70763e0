import type { Condition, PrometheusReplica, PrometheusReplicaStatus, ReplicaPhase } from '@promfleet/api';
import { removeCondition, setConditions, type ConditionUpdate } from '@promfleet/kube';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPod } from 'kubernetes-models/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';

import { grafanaHost, queryHost } from '../builders/ingress.ts';
import { childNames, PORTS, type Component } from '../names.ts';
import { CONDITIONS, REASONS } from './conditions.ts';

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
  /** Why applying the children failed, when it did. */
  readonly applyError: string | undefined;
  readonly statefulSets: readonly IStatefulSet[];
  readonly deployments: readonly IDeployment[];
  readonly ingresses: readonly IIngress[];
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

function statefulSetTier(component: Component, set: IStatefulSet | undefined): Tier | undefined {
  if (!set) return undefined;
  const desired = set.spec?.replicas ?? 1;
  const status = set.status;
  const settled =
    (status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) &&
    (status?.updatedReplicas ?? 0) === desired &&
    (status?.currentRevision === undefined || status.currentRevision === status.updateRevision);
  return { component, desired, ready: Math.min(status?.readyReplicas ?? 0, desired), settled };
}

function deploymentTier(component: Component, deployment: IDeployment | undefined): Tier | undefined {
  if (!deployment) return undefined;
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status;
  const settled = (status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) && (status?.updatedReplicas ?? 0) === desired && (status?.replicas ?? 0) === desired;
  return { component, desired, ready: Math.min(status?.readyReplicas ?? 0, desired), settled };
}

function podNames(pods: readonly IPod[], replica: string, component: Component): string[] {
  return pods
    .filter((pod) => pod.metadata?.labels?.['app.kubernetes.io/instance'] === replica && pod.metadata.labels['app.kubernetes.io/component'] === component)
    .map((pod) => pod.metadata?.name ?? '')
    .sort();
}

function ingressAddresses(ingresses: readonly IIngress[]): string[] {
  const addresses = ingresses.flatMap((ingress) => (ingress.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? entry.hostname ?? '')).filter(Boolean);
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
  const tiers = [
    statefulSetTier('prometheus', find(state.statefulSets, names.prometheus)),
    statefulSetTier('thanos-store', find(state.statefulSets, names.store)),
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
  const inputsValid = state.specErrors.length === 0 && state.config.ok && state.bucketSecret.ok && grafanaAdmin.ok;
  const previous = replica.status?.phase;

  let phase: ReplicaPhase;
  if (replica.spec.paused) phase = 'Paused';
  else if (!inputsValid) phase = 'Failed';
  else if (existing.length === 0) phase = 'Pending';
  else if (allReady && state.applyError === undefined) phase = 'Running';
  else if (failedPods || previous === 'Running' || previous === 'Degraded') phase = 'Degraded';
  else phase = 'Creating';

  const notReady = existing.filter((tier) => tier.ready < tier.desired || !tier.settled).map((tier) => `${tier.component} ${String(tier.ready)}/${String(tier.desired)} ready`);
  const inputProblem =
    state.specErrors[0] ?? (state.config.ok ? undefined : state.config.message) ?? (state.bucketSecret.ok ? undefined : state.bucketSecret.message) ?? (grafanaAdmin.ok ? undefined : grafanaAdmin.message);
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
          ? { type: CONDITIONS.reconciled, status: 'False', reason: REASONS.waitingForInput, message: `children are left as they are until the input is fixed: ${inputProblem ?? ''}` }
          : state.applyError !== undefined
            ? { type: CONDITIONS.reconciled, status: 'False', reason: REASONS.reconcileFailed, message: state.applyError }
            : { type: CONDITIONS.reconciled, status: 'True', reason: REASONS.reconcileSucceeded, message: 'all children are as desired' },
    state.config.ok
      ? { type: CONDITIONS.configValid, status: 'True', reason: REASONS.valid, message: state.config.message }
      : { type: CONDITIONS.configValid, status: 'False', reason: state.config.reason, message: state.config.message },
    state.bucketSecret.ok
      ? { type: CONDITIONS.bucketSecretValid, status: 'True', reason: REASONS.valid, message: state.bucketSecret.message }
      : { type: CONDITIONS.bucketSecretValid, status: 'False', reason: state.bucketSecret.reason, message: state.bucketSecret.message },
    replica.spec.storage
      ? { type: CONDITIONS.persistentStorage, status: 'True', reason: REASONS.persistentVolumeClaim, message: `each Prometheus pod has a ${String(replica.spec.storage.size)} PersistentVolumeClaim` }
      : { type: CONDITIONS.persistentStorage, status: 'False', reason: REASONS.emptyDir, message: 'no spec.storage: Prometheus data lives in an emptyDir and is lost when a pod restarts' },
  ];
  if (state.grafanaAdmin) {
    updates.push(
      state.grafanaAdmin.ok
        ? { type: CONDITIONS.grafanaAdminSecretValid, status: 'True', reason: REASONS.valid, message: state.grafanaAdmin.message }
        : { type: CONDITIONS.grafanaAdminSecretValid, status: 'False', reason: state.grafanaAdmin.reason, message: state.grafanaAdmin.message },
    );
  }
  const previousConditions = state.grafanaAdmin ? replica.status?.conditions : removeCondition(replica.status?.conditions, CONDITIONS.grafanaAdminSecretValid);
  const conditions: Condition[] = setConditions(previousConditions, updates, replica.metadata.generation, state.now);

  const addresses = ingressAddresses(state.ingresses);
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
    },
    local: {
      prometheus: podNames(state.pods, name, 'prometheus'),
      query: podNames(state.pods, name, 'thanos-query'),
      store: podNames(state.pods, name, 'thanos-store'),
      ...(grafanaEnabled ? { grafana: podNames(state.pods, name, 'grafana') } : {}),
    },
    operatorVersion: state.operatorVersion,
  };
}
