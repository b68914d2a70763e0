import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { KubeAssetsMissingError, resolveKubeAssets } from './assets.ts';

// The lookup order on folders of stand-in binaries: shell scripts that answer --version as the
// real ones do.

let work: string;
let root: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'promfleet-assets-'));
  root = join(work, 'promfleet');
  mkdirSync(root);
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function script(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

function binaries(dir: string, names: readonly string[], version = 'v1.20.2'): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) script(join(dir, name), `echo "Kubernetes ${version}"`);
  return dir;
}

const ALL = ['etcd', 'kube-apiserver', 'kube-controller-manager'];
const ENVTEST = ['etcd', 'kube-apiserver', 'kubectl'];

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KubeAssetsMissingError);
  return (error as Error).message;
}

describe('resolveKubeAssets', () => {
  it('takes KUBE_ASSETS first, then KUBEBUILDER_ASSETS, then .cache/kube-assets', async () => {
    const own = binaries(join(work, 'own'), ALL);
    const envtest = binaries(join(work, 'envtest'), [...ENVTEST, 'kube-controller-manager']);
    const cache = binaries(join(root, '.cache', 'kube-assets'), ALL);
    expect((await resolveKubeAssets({ root, env: { KUBE_ASSETS: own, KUBEBUILDER_ASSETS: envtest } })).dir).toBe(own);
    expect((await resolveKubeAssets({ root, env: { KUBEBUILDER_ASSETS: envtest } })).dir).toBe(envtest);
    const found = await resolveKubeAssets({ root, env: {} });
    expect(found).toEqual({
      dir: cache,
      etcd: join(cache, 'etcd'),
      kubeApiserver: join(cache, 'kube-apiserver'),
      kubeControllerManager: join(cache, 'kube-controller-manager'),
    });
  });

  it("uses setup-envtest's folder once a kube-controller-manager is added, and says so until then", async () => {
    const envtest = binaries(join(work, 'envtest'), ENVTEST);
    const message = await failure(resolveKubeAssets({ root, env: { KUBEBUILDER_ASSETS: envtest } }));
    expect(message).toContain(`KUBEBUILDER_ASSETS=${envtest}: no kube-controller-manager (setup-envtest installs etcd, kube-apiserver and kubectl only`);
    expect(message).toContain(`.cache/kube-assets (${join(root, '.cache', 'kube-assets')}): no such folder`);
    expect(message).toContain('setup-envtest use 1.20.2');

    binaries(envtest, ['kube-controller-manager']);
    expect((await resolveKubeAssets({ root, env: { KUBEBUILDER_ASSETS: envtest } })).kubeControllerManager).toBe(join(envtest, 'kube-controller-manager'));
  });

  it('passes over an envtest folder of another Kubernetes version, naming it', async () => {
    const envtest = binaries(join(work, 'envtest'), [...ENVTEST, 'kube-controller-manager'], 'v1.30.0');
    const message = await failure(resolveKubeAssets({ root, env: { KUBEBUILDER_ASSETS: envtest } }));
    expect(message).toContain(`KUBEBUILDER_ASSETS=${envtest}: kube-apiserver is v1.30.0; the testkit runs Kubernetes v1.20`);

    const cache = binaries(join(root, '.cache', 'kube-assets'), ALL);
    expect((await resolveKubeAssets({ root, env: { KUBEBUILDER_ASSETS: envtest } })).dir).toBe(cache);
  });

  it('names the binaries a KUBE_ASSETS folder lacks', async () => {
    const own = binaries(join(work, 'own'), ['etcd']);
    const message = await failure(resolveKubeAssets({ root, env: { KUBE_ASSETS: own } }));
    expect(message).toContain(`KUBE_ASSETS=${own}: no executable kube-apiserver, kube-controller-manager`);
  });

  it('with obtain, unpacks the prebuilt binaries from ../shared/kube-assets into .cache/kube-assets', async () => {
    const shared = join(work, 'shared', 'kube-assets');
    mkdirSync(shared, { recursive: true });
    // What unpack.sh does, in short: the binaries into DEST, DEST's path on stdout.
    script(
      join(shared, 'unpack.sh'),
      `mkdir -p "$1" && for b in ${ALL.join(' ')}; do printf '#!/bin/sh\\necho Kubernetes v1.20.2\\n' > "$1/$b"; chmod +x "$1/$b"; done; cd "$1" && pwd`,
    );
    await failure(resolveKubeAssets({ root, env: {} }));
    const cache = join(root, '.cache', 'kube-assets');
    expect((await resolveKubeAssets({ root, env: {}, obtain: true })).dir).toBe(cache);
    expect((await resolveKubeAssets({ root, env: {} })).dir).toBe(cache);
  });

  it('with obtain and no ../shared, rebuilds them with scripts/build-kube-assets.sh, and reports a failure', async () => {
    mkdirSync(join(root, 'scripts'));
    script(join(root, 'scripts', 'build-kube-assets.sh'), 'echo "build-kube-assets: no apt here" >&2; exit 3');
    const message = await failure(resolveKubeAssets({ root, env: {}, obtain: true }));
    expect(message).toContain(`${join(root, 'scripts', 'build-kube-assets.sh')} failed (exit 3`);
  });
});
