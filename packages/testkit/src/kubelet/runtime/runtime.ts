import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { freePort } from '../../process/ports.ts';
import type { Container, ContainerReport, Pod } from '../pod-status.ts';
import { renderStandInConfig } from './config-render.ts';
import { standInArgs } from './prometheus-args.ts';
import { PrometheusProcess, type Exit } from './prometheus-process.ts';
import { hostPathOf, materialiseVolumes, type VolumeSources } from './volumes.ts';

export interface PrometheusRuntimeOptions {
  /** The Prometheus binary (Debian's package: 2.42). */
  readonly binary: string;
  /** The cluster's folder: pods and claims get folders in it. */
  readonly dir: string;
  readonly sources: VolumeSources;
  /** Called when a pod's containers changed on their own (ready, crashed): its status is due. */
  readonly onChange: (podKey: string) => void;
}

/** How a pod's Prometheus ended when the pod was deleted: by itself on SIGTERM, or killed after the grace period. */
export interface Termination {
  readonly pod: string;
  readonly uid: string;
  readonly killed: boolean;
  readonly code: number | null;
}

interface PodState {
  readonly uid: string;
  readonly dir: string;
  process?: PrometheusProcess | undefined;
  ready: boolean;
  restarts: number;
  lastExit?: Exit | undefined;
  backoffUntil: number;
  digest?: string | undefined;
  poller?: NodeJS.Timeout | undefined;
}

const WEB_PORT = 9090;
const MAX_BACKOFF_MS = 10_000;

/** Which container of a pod is Prometheus, if the kubelet should run it for real. */
export function prometheusContainer(pod: Pod): Container | undefined {
  return pod.spec.containers.find((container) => container.name === 'prometheus' && (container.image ?? '').includes('prometheus'));
}

/**
 * Runs the real Prometheus for the `prometheus` container of pods, as a kubelet would run the
 * image: the container's own args (translated for this machine, see prometheus-args.ts), its
 * ConfigMap, Secret, emptyDir and claim volumes as directories, its environment, readiness from
 * `/-/ready`, restarts with back-off when it exits, SIGTERM and the pod's grace period on
 * deletion. Standing in for the Thanos sidecar's reloader, it renders the config's container
 * paths for this machine and POSTs `/-/reload` whenever a mounted ConfigMap or Secret changes.
 */
export class PrometheusRuntime {
  readonly #options: PrometheusRuntimeOptions;
  readonly #pods = new Map<string, PodState>();
  readonly #terminations: Termination[] = [];

  constructor(options: PrometheusRuntimeOptions) {
    this.#options = options;
  }

  /** How every deleted pod's Prometheus ended, in order. */
  get terminations(): readonly Termination[] {
    return this.#terminations;
  }

  /** The loopback port behind a pod's port, for the egress proxy. */
  port(podKey: string, containerPort: number): number | undefined {
    return containerPort === WEB_PORT ? this.#pods.get(podKey)?.process?.port : undefined;
  }

  /** Brings the pod's Prometheus to what its spec says, and reports the container; `retryMs` when a restart is due later. */
  async sync(key: string, pod: Pod, podIP: string): Promise<{ report: ContainerReport; retryMs?: number }> {
    const uid = pod.metadata.uid ?? '';
    let state = this.#pods.get(key);
    if (state?.uid !== uid) {
      if (state) await this.stop(key, 0);
      state = {
        uid,
        dir: join(this.#options.dir, 'pods', `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${uid}`),
        ready: false,
        restarts: 0,
        backoffUntil: 0,
      };
      this.#pods.set(key, state);
    }
    const container = prometheusContainer(pod);
    if (!container) throw new Error(`pod ${key} has no prometheus container`);
    const waiting = (reason: string, message: string, retryMs?: number) => ({
      report: { ready: false, state: { waiting: { reason, message } }, restartCount: state.restarts, lastState: this.#lastState(state) },
      ...(retryMs !== undefined ? { retryMs } : {}),
    });
    if (container.command)
      return waiting('RunContainerError', `the testkit runs the image's entrypoint (prometheus) only, not command ${JSON.stringify(container.command)}`);
    await mkdir(join(state.dir, 'rendered'), { recursive: true });
    const volumes = await materialiseVolumes(
      { namespace: pod.metadata.namespace ?? 'default', volumes: pod.spec.volumes ?? [], mounts: container.volumeMounts ?? [] },
      { pod: state.dir, claims: join(this.#options.dir, 'claims') },
      this.#options.sources,
    );
    if (volumes.missing.length > 0) return waiting('ContainerCreating', `${volumes.missing.join(', ')} not found`);
    const rendered = join(state.dir, 'rendered', 'prometheus.yml');
    let args;
    try {
      args = standInArgs(container.args ?? [], { mounts: volumes.mounts, renderedConfig: rendered, port: state.process?.port ?? (await freePort()) });
    } catch (error) {
      return waiting('RunContainerError', error instanceof Error ? error.message : String(error));
    }
    const source = hostPathOf(volumes.mounts, args.configFile);
    const text = source === undefined ? '' : await readFile(source, 'utf8').catch(() => '');
    const config = renderStandInConfig(text, (path) => hostPathOf(volumes.mounts, path));
    if ((await readFile(rendered, 'utf8').catch(() => undefined)) !== config) await writeFile(rendered, config);
    const changed = state.digest !== undefined && state.digest !== volumes.digest;
    state.digest = volumes.digest;
    if (state.process && changed) await state.process.reload().catch(() => undefined);
    if (!state.process) {
      const wait = state.backoffUntil - Date.now();
      if (wait > 0)
        return waiting(
          'CrashLoopBackOff',
          `back-off restarting failed container prometheus: ${state.lastExit ? `exited with ${String(state.lastExit.code)}` : ''}`,
          wait,
        );
      this.#start(key, state, args.args, this.#environment(pod, container, podIP));
    }
    const process = state.process;
    return {
      report: {
        ready: state.ready,
        state: process ? { running: { startedAt: process.startedAt } } : { waiting: { reason: 'ContainerCreating' } },
        restartCount: state.restarts,
        lastState: this.#lastState(state),
      },
    };
  }

  /** Stops a pod's Prometheus as a kubelet does on deletion: SIGTERM, SIGKILL after the grace period. */
  async stop(key: string, graceSeconds: number): Promise<void> {
    const state = this.#pods.get(key);
    if (!state) return;
    this.#pods.delete(key);
    clearInterval(state.poller);
    if (state.process) {
      const exit = await state.process.stop(graceSeconds * 1000);
      this.#terminations.push({ pod: key, uid: state.uid, killed: exit.killed, code: exit.code });
    }
    await rm(state.dir, { recursive: true, force: true });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#pods.keys()].map((key) => this.stop(key, 5)));
  }

  #start(key: string, state: PodState, args: readonly string[], env: NodeJS.ProcessEnv): void {
    const port = Number(/--web\.listen-address=127\.0\.0\.1:(\d+)/.exec(args.join(' '))?.[1]);
    const process = PrometheusProcess.start({ binary: this.#options.binary, args, env, dir: state.dir, name: key, port });
    state.process = process;
    state.ready = false;
    void process.crashed.then((exit) => {
      if (process.stopping || state.process !== process) return;
      clearInterval(state.poller);
      state.process = undefined;
      state.ready = false;
      state.lastExit = exit;
      state.restarts += 1;
      state.backoffUntil = Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (state.restarts - 1));
      this.#options.onChange(key);
    });
    state.poller = setInterval(() => {
      void process.ready().then((ready) => {
        if (state.process !== process || ready === state.ready) return;
        state.ready = ready;
        this.#options.onChange(key);
      });
    }, 250);
    state.poller.unref();
  }

  #lastState(state: PodState): ContainerReport['lastState'] {
    const exit = state.lastExit;
    return exit
      ? { terminated: { exitCode: exit.code ?? 137, reason: exit.code === 0 ? 'Completed' : 'Error', finishedAt: exit.at.replace(/\.\d+Z$/, 'Z') } }
      : undefined;
  }

  #environment(pod: Pod, container: Container, podIP: string): NodeJS.ProcessEnv {
    const fields: Record<string, string> = {
      'metadata.name': pod.metadata.name,
      'metadata.namespace': pod.metadata.namespace ?? 'default',
      'metadata.uid': pod.metadata.uid ?? '',
      'status.podIP': podIP,
      'spec.nodeName': pod.spec.nodeName ?? '',
    };
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const variable of container.env ?? []) {
      const value = variable.value ?? (variable.valueFrom?.fieldRef ? fields[variable.valueFrom.fieldRef.fieldPath] : undefined);
      if (value !== undefined) env[variable.name] = value;
    }
    return env;
  }
}
