// vitest globalSetup for suites that start API servers: find the control-plane binaries once,
// or rebuild them from Debian's packages when neither KUBE_ASSETS nor .cache/kube-assets has them.
import { resolveKubeAssets } from './assets.ts';

export default async function setup(): Promise<void> {
  const assets = await resolveKubeAssets({ build: true });
  process.env.KUBE_ASSETS ??= assets.dir;
}
