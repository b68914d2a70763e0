// vitest globalSetup for suites that start API servers: find the control-plane binaries once
// (KUBE_ASSETS, KUBEBUILDER_ASSETS, .cache/kube-assets), or unpack or rebuild them when missing.
import { resolveKubeAssets } from './assets.ts';

export default async function setup(): Promise<void> {
  const assets = await resolveKubeAssets({ obtain: true });
  process.env.KUBE_ASSETS ??= assets.dir;
}
