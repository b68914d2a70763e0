// node scripts/kube-assets.ts: prints the folder of the control-plane binaries, after finding,
// unpacking or rebuilding them (the order is in packages/testkit/src/assets.ts). Used by ./dev.
import { KubeAssetsMissingError, resolveKubeAssets } from '../packages/testkit/src/assets.ts';

try {
  console.log((await resolveKubeAssets({ obtain: true })).dir);
} catch (error) {
  if (!(error instanceof KubeAssetsMissingError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
