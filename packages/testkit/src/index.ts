export { resolveKubeAssets, KubeAssetsMissingError, type KubeAssets } from './assets.ts';
export { startFleet, Fleet, type FleetOptions } from './fleet.ts';
export { TestCluster } from './cluster.ts';
export { buildKubeconfig, kubeconfigYAML, toKubeConfig, type KubeconfigFile } from './kubeconfig.ts';
export { ManagedProcess } from './process/managed-process.ts';
export { freePort } from './process/ports.ts';
export { liveGroups, reaperPid } from './process/registry.ts';
export { repositoryRoot } from './paths.ts';
export { installCRDs, readCRDs } from './crds.ts';
