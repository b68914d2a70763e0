import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { repositoryRoot } from './paths.ts';

/** The control-plane binaries the testkit runs. */
export interface KubeAssets {
  readonly dir: string;
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
}

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
/** The testkit's flags are v1.20's (e.g. --insecure-port, gone in v1.24). */
const KUBERNETES_MINOR = '1.20';

interface Candidate {
  /** How the error names it: `KUBE_ASSETS=/x`. */
  readonly label: string;
  readonly dir: string;
  /** setup-envtest's folders hold other versions and no controller-manager: say so precisely. */
  readonly envtest?: boolean;
}

function assets(dir: string): KubeAssets {
  return { dir, etcd: join(dir, 'etcd'), kubeApiserver: join(dir, 'kube-apiserver'), kubeControllerManager: join(dir, 'kube-controller-manager') };
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `Kubernetes v1.20.2` → `v1.20.2`, or what went wrong. */
function kubernetesVersion(binary: string): string {
  try {
    const output = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return /Kubernetes (v\S+)/.exec(output)?.[1] ?? `an unknown version (${JSON.stringify(output.trim().slice(0, 80))})`;
  } catch (error) {
    return `a version it cannot tell (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)})`;
  }
}

/** Why `candidate` cannot serve, or undefined when it holds every binary. */
function problemWith(candidate: Candidate): string | undefined {
  if (!existsSync(candidate.dir)) return 'no such folder';
  const missing = BINARIES.filter((binary) => !executable(join(candidate.dir, binary)));
  if (candidate.envtest && missing.length === 1 && missing[0] === 'kube-controller-manager') {
    return `no kube-controller-manager (setup-envtest installs etcd, kube-apiserver and kubectl only: put a kube-controller-manager v${KUBERNETES_MINOR} beside them)`;
  }
  if (missing.length > 0) return `no executable ${missing.join(', ')}`;
  if (candidate.envtest) {
    for (const binary of ['kube-apiserver', 'kube-controller-manager'] as const) {
      const version = kubernetesVersion(join(candidate.dir, binary));
      if (!version.startsWith(`v${KUBERNETES_MINOR}.`))
        return `${binary} is ${version}; the testkit runs Kubernetes v${KUBERNETES_MINOR} (setup-envtest use ${KUBERNETES_MINOR}.2)`;
    }
  }
  return undefined;
}

export class KubeAssetsMissingError extends Error {
  constructor(problems: readonly string[]) {
    super(
      [
        'kube assets not found:',
        ...problems.map((problem) => `  - ${problem}`),
        `Provide etcd, kube-apiserver and kube-controller-manager (Kubernetes v${KUBERNETES_MINOR}) one of these ways:`,
        '  1. export KUBE_ASSETS=/path/to/dir/with/the/binaries',
        `  2. export KUBEBUILDER_ASSETS=... as setup-envtest lays it out (setup-envtest use ${KUBERNETES_MINOR}.2 -p path), with a kube-controller-manager added`,
        '  3. bash ../shared/kube-assets/unpack.sh .cache/kube-assets   (prebuilt, seconds)',
        '  4. bash scripts/build-kube-assets.sh   (rebuilds from Debian source packages as root, about ten minutes)',
        '`./dev demo` and `./dev test` (and `pnpm demo`, `pnpm test`) do 3, else 4, by themselves.',
      ].join('\n'),
    );
    this.name = 'KubeAssetsMissingError';
  }
}

export interface ResolveKubeAssetsOptions {
  /** When no folder has the binaries: unpack the prebuilt ones from ../shared/kube-assets, else rebuild them. */
  readonly obtain?: boolean;
  /** For tests. */
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: the repository whose .cache/kube-assets and ../shared are used. */
  readonly root?: string;
}

/**
 * Finds the control-plane binaries, in order: `KUBE_ASSETS`; `KUBEBUILDER_ASSETS` (setup-envtest's
 * layout) when it also holds a kube-controller-manager and the versions are v1.20;
 * `.cache/kube-assets`. With `obtain`, when none has them: `../shared/kube-assets/unpack.sh`
 * into `.cache/kube-assets` if it exists, else `scripts/build-kube-assets.sh` (about ten minutes).
 */
export async function resolveKubeAssets(options: ResolveKubeAssetsOptions = {}): Promise<KubeAssets> {
  const env = options.env ?? process.env;
  const root = options.root ?? repositoryRoot();
  const cache = join(root, '.cache', 'kube-assets');
  const candidates: Candidate[] = [];
  if (env.KUBE_ASSETS) candidates.push({ label: `KUBE_ASSETS=${env.KUBE_ASSETS}`, dir: resolve(env.KUBE_ASSETS) });
  if (env.KUBEBUILDER_ASSETS) candidates.push({ label: `KUBEBUILDER_ASSETS=${env.KUBEBUILDER_ASSETS}`, dir: resolve(env.KUBEBUILDER_ASSETS), envtest: true });
  candidates.push({ label: `.cache/kube-assets (${cache})`, dir: cache });

  const problems: string[] = [];
  for (const candidate of candidates) {
    const problem = problemWith(candidate);
    if (problem === undefined) return assets(candidate.dir);
    problems.push(`${candidate.label}: ${problem}`);
  }
  if (!options.obtain) throw new KubeAssetsMissingError(problems);

  const unpack = resolve(root, '..', 'shared', 'kube-assets', 'unpack.sh');
  const [script, how] = existsSync(unpack)
    ? [unpack, `unpacking the prebuilt ones from ${resolve(unpack, '..')}`]
    : [join(root, 'scripts', 'build-kube-assets.sh'), 'rebuilding them from Debian packages with scripts/build-kube-assets.sh (about ten minutes)'];
  console.error(`testkit: kube assets missing; ${how} into .cache/kube-assets`);
  // The scripts print the folder on stdout: keep stdout for whoever reads ours.
  const code = await new Promise<number | null>((done) => {
    spawn('bash', [script, cache], { stdio: ['ignore', 2, 2] })
      .on('exit', done)
      .on('error', () => {
        done(null);
      });
  });
  const problem = code === 0 ? problemWith({ label: '', dir: cache }) : `${script} failed (exit ${String(code)}; its output is above)`;
  if (problem === undefined) return assets(cache);
  throw new KubeAssetsMissingError([...problems, problem]);
}
