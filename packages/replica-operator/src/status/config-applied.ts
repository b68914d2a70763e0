import { errorMessage, type KubeClient } from '@promfleet/kube/client';
import type { ConditionUpdate } from '@promfleet/kube/status';
import type { IPod } from 'kubernetes-models/v1';
import { parse } from 'yaml';

import { loadedConfigHash } from '../config/config-marker.ts';
import { PORTS } from '../names.ts';
import { CONDITIONS } from './conditions.ts';

/** What one Prometheus pod says about its config. */
export type PodConfigState =
  | {
      readonly pod: string;
      readonly state: 'loaded';
      readonly reloadSuccessful: boolean;
      readonly hash: string | undefined;
      readonly replicaLabel: string | undefined;
      readonly lastConfigTime: string | undefined;
    }
  | { readonly pod: string; readonly state: 'unreachable'; readonly error: string }
  | { readonly pod: string; readonly state: 'starting' }
  | { readonly pod: string; readonly state: 'crashing'; readonly exitCode: number; readonly restarts: number };

interface RuntimeInfo {
  readonly data?: { readonly reloadConfigSuccess?: boolean; readonly lastConfigTime?: string };
}
interface StatusConfig {
  readonly data?: { readonly yaml?: string };
}

/**
 * Asks each Prometheus pod, through the API server's pod proxy (so it works wherever the
 * operator runs, and needs only `pods/proxy` get), whether its last reload succeeded
 * (`/api/v1/status/runtimeinfo`) and which config it has loaded (the marker in
 * `/api/v1/status/config`). The loaded config is fetched only when the pod reports a reload
 * since it was last read, or has not shown the expected one yet.
 */
export class ConfigAppliedProbe {
  readonly #client: KubeClient;
  readonly #timeoutMs: number;
  /** By pod uid: the last config time seen and what was loaded then. */
  readonly #loaded = new Map<string, { time: string | undefined; hash: string | undefined; replicaLabel: string | undefined }>();

  constructor(client: KubeClient, options: { timeoutMs?: number } = {}) {
    this.#client = client;
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  /** What each pod says; `expected` is the config hash it should have, re-read until it has it. */
  async check(pods: readonly IPod[], expected: string | undefined): Promise<PodConfigState[]> {
    const live = new Set(pods.map((pod) => pod.metadata?.uid));
    for (const uid of this.#loaded.keys()) if (!live.has(uid)) this.#loaded.delete(uid);
    return Promise.all(pods.map((pod) => this.#checkPod(pod, expected)));
  }

  async #checkPod(pod: IPod, expected: string | undefined): Promise<PodConfigState> {
    const name = pod.metadata?.name ?? '';
    const prometheus = pod.status?.containerStatuses?.find((container) => container.name === 'prometheus');
    const last = prometheus?.lastState?.terminated ?? prometheus?.state?.terminated;
    if (!prometheus?.state?.running) {
      return last && last.exitCode !== 0
        ? { pod: name, state: 'crashing', exitCode: last.exitCode, restarts: prometheus?.restartCount ?? 0 }
        : { pod: name, state: 'starting' };
    }
    const path = `/api/v1/namespaces/${pod.metadata?.namespace ?? 'default'}/pods/${name}:${String(PORTS.prometheusWeb)}/proxy/api/v1/status`;
    const get = <T>(what: string) =>
      this.#client.request<T>({ verb: 'get', method: 'GET', resource: 'pods/proxy', path: `${path}/${what}`, timeoutMs: this.#timeoutMs });
    try {
      const runtime = (await get<RuntimeInfo>('runtimeinfo')).data ?? {};
      const uid = pod.metadata?.uid ?? name;
      let loaded = this.#loaded.get(uid);
      // lastConfigTime has second precision: until the expected config shows, read it again.
      if (!loaded || loaded.time !== runtime.lastConfigTime || loaded.hash !== expected) {
        const config = parseConfig((await get<StatusConfig>('config')).data?.yaml);
        loaded = { time: runtime.lastConfigTime, ...config };
        this.#loaded.set(uid, loaded);
      }
      return {
        pod: name,
        state: 'loaded',
        reloadSuccessful: runtime.reloadConfigSuccess !== false,
        hash: loaded.hash,
        replicaLabel: loaded.replicaLabel,
        lastConfigTime: runtime.lastConfigTime,
      };
    } catch (error) {
      return { pod: name, state: 'unreachable', error: errorMessage(error) };
    }
  }
}

function parseConfig(text: string | undefined): { hash: string | undefined; replicaLabel: string | undefined } {
  const config = (parse(text ?? '') ?? {}) as { rule_files?: unknown; global?: { external_labels?: Record<string, unknown> } };
  const replica = config.global?.external_labels?.replica;
  return { hash: loadedConfigHash(Array.isArray(config.rule_files) ? config.rule_files : []), replicaLabel: typeof replica === 'string' ? replica : undefined };
}

export const CONFIG_APPLIED_REASONS = {
  applied: 'Applied',
  pending: 'Pending',
  rejected: 'ConfigRejected',
  notRunning: 'PrometheusNotRunning',
  replicaLabel: 'ReplicaLabelWrong',
} as const;

/**
 * ConfigApplied from what the pods said: True once every pod loaded the config the operator
 * gave it (`desiredHash`); False when Prometheus rejected it (it keeps serving the last good
 * one), cannot start, or did not expand its `replica` label; Unknown while pods are on their
 * way or cannot be asked.
 */
export function configAppliedCondition(states: readonly PodConfigState[], desiredHash: string | undefined): ConditionUpdate {
  const type = CONDITIONS.configApplied;
  const unknown = (message: string): ConditionUpdate => ({ type, status: 'Unknown', reason: CONFIG_APPLIED_REASONS.pending, message });
  if (desiredHash === undefined) return unknown('the operator has not written a config yet');
  if (states.length === 0) return unknown('no Prometheus pod is running yet');
  const sorted = [...states].sort((a, b) => a.pod.localeCompare(b.pod));
  for (const state of sorted) {
    if (state.state === 'loaded' && !state.reloadSuccessful) {
      return {
        type,
        status: 'False',
        reason: CONFIG_APPLIED_REASONS.rejected,
        message: `Prometheus in pod ${state.pod} rejected the config it was given and keeps serving the last one it loaded${state.lastConfigTime ? ` (at ${state.lastConfigTime})` : ''}; kubectl logs ${state.pod} -c prometheus says why`,
      };
    }
  }
  for (const state of sorted) {
    if (state.state === 'crashing') {
      return {
        type,
        status: 'False',
        reason: CONFIG_APPLIED_REASONS.notRunning,
        message: `container prometheus of pod ${state.pod} exited with code ${String(state.exitCode)} (${String(state.restarts)} restarts); kubectl logs ${state.pod} -c prometheus --previous says why`,
      };
    }
    if (state.state === 'loaded' && state.hash === desiredHash && state.replicaLabel !== state.pod) {
      return {
        type,
        status: 'False',
        reason: CONFIG_APPLIED_REASONS.replicaLabel,
        message: `Prometheus in pod ${state.pod} has external label replica=${JSON.stringify(state.replicaLabel ?? '')}, not its pod name: the image must expand \${POD_NAME} in external labels (Prometheus 3 does)`,
      };
    }
  }
  const waiting = sorted.filter((state) => state.state !== 'loaded' || state.hash !== desiredHash);
  if (waiting.length === 0)
    return {
      type,
      status: 'True',
      reason: CONFIG_APPLIED_REASONS.applied,
      message: `Prometheus loaded config ${desiredHash} in ${sorted.map((s) => s.pod).join(', ')}`,
    };
  const first = waiting[0];
  if (first?.state === 'unreachable') return unknown(`could not ask Prometheus in pod ${first.pod} through the API server: ${first.error}`);
  if (first?.state === 'loaded')
    return unknown(`waiting for pod ${first.pod} to load config ${desiredHash} (it has ${first.hash ?? 'a config without marker'})`);
  return unknown(`waiting for Prometheus in pod ${first?.pod ?? ''} to start`);
}
