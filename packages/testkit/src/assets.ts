import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
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

function assetsIn(dir: string): KubeAssets | undefined {
  try {
    for (const binary of BINARIES) accessSync(join(dir, binary), constants.X_OK);
  } catch {
    return undefined;
  }
  return { dir, etcd: join(dir, 'etcd'), kubeApiserver: join(dir, 'kube-apiserver'), kubeControllerManager: join(dir, 'kube-controller-manager') };
}

export class KubeAssetsMissingError extends Error {
  constructor(searched: readonly string[]) {
    super(
      [
        `kube assets not found (looked in ${searched.join(', ')}). Provide etcd, kube-apiserver and kube-controller-manager one of three ways:`,
        '  1. export KUBE_ASSETS=/path/to/dir/with/the/binaries',
        '  2. bash ../shared/kube-assets/unpack.sh .cache/kube-assets   (prebuilt, seconds)',
        '  3. bash scripts/build-kube-assets.sh   (rebuilds from Debian source packages, about ten minutes)',
      ].join('\n'),
    );
    this.name = 'KubeAssetsMissingError';
  }
}

/**
 * Finds the binaries: `KUBE_ASSETS`, else `.cache/kube-assets`; with `build: true`, runs
 * scripts/build-kube-assets.sh when neither has them.
 */
export async function resolveKubeAssets(options: { build?: boolean } = {}): Promise<KubeAssets> {
  const root = repositoryRoot();
  const cache = join(root, '.cache', 'kube-assets');
  const candidates = [process.env.KUBE_ASSETS, cache].filter((dir): dir is string => Boolean(dir)).map((dir) => resolve(dir));
  for (const dir of candidates) {
    const found = assetsIn(dir);
    if (found) return found;
  }
  if (!options.build) throw new KubeAssetsMissingError(candidates);
  console.error('testkit: kube assets missing; rebuilding them from Debian packages with scripts/build-kube-assets.sh (about ten minutes)');
  const code = await new Promise<number | null>((done) => {
    spawn('bash', [join(root, 'scripts', 'build-kube-assets.sh'), cache], { stdio: 'inherit' }).on('exit', done);
  });
  const built = code === 0 ? assetsIn(cache) : undefined;
  if (!built) throw new KubeAssetsMissingError(candidates);
  return built;
}
