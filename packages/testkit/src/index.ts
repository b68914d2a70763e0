export { resolveKubeAssets, KubeAssetsMissingError, type KubeAssets } from './assets.ts';
export { startFleet, Fleet, type FleetOptions } from './fleet.ts';
export { TestCluster } from './cluster.ts';
export { buildKubeconfig, kubeconfigYAML, toKubeConfig, type KubeconfigFile } from './kubeconfig.ts';
export { ManagedProcess } from './process/managed-process.ts';
export { freePort } from './process/ports.ts';
export { MemoryCgroup } from './process/memory-cgroup.ts';
export { liveGroups, reaperPid } from './process/registry.ts';
export { repositoryRoot, scratchRoot } from './paths.ts';
export { adminTLS, createClusterPKI, type ClusterPKI } from './pki.ts';
export { EXTERNAL_DNS_CRD_DIR, installCRDs, readCRDs } from './crds.ts';
export { FakeKubelet, type KubeletOptions } from './kubelet/kubelet.ts';
export type { Termination } from './kubelet/runtime/runtime.ts';
export { BAD_IMAGE_MARKER, FAIL_ANNOTATION, UNREADY_ANNOTATION } from './kubelet/pod-status.ts';
export { nodeAddress, podAddress } from './kubelet/addresses.ts';
export { FakeLoadBalancer } from './load-balancer/load-balancer.ts';
export {
  LOAD_BALANCER_ANNOTATION,
  LOAD_BALANCER_MODES,
  loadBalancerAddress,
  isLoadBalancerMode,
  type LoadBalancerIngress,
  type LoadBalancerMode,
} from './load-balancer/addresses.ts';
export type { ClusterHandle } from './fakes/fake-controller.ts';
export { startRedis, RedisServer, type RedisServerOptions } from './redis.ts';
export { httpsStatus, startNodeProcess, type NodeProcess } from './process/node-process.ts';
export { connectSSE, type ServerSentEvent, type SSEConnection } from './sse.ts';
export { rawRequestStatus } from './http.ts';
export { Relay } from './relay.ts';
export { parseMetricsText, type MetricSample } from './metrics-text.ts';
export { startPromfleet, createRegionInputs, joinMember, MEMBER_NAMESPACE, HUB_NAMESPACE, PROMETHEUS_CONFIG, OBJSTORE } from './promfleet/install.ts';
export type { Promfleet, PromfleetMember, PromfleetOptions, MemberSpec, HubSettings } from './promfleet/install.ts';
export { runCli, type CliRun } from './promfleet/cli.ts';
export { API_PATH_SPELLINGS } from './promfleet/api-spellings.ts';
export { ENTRIES } from './promfleet/entries.ts';
export { eventually } from './eventually.ts';
export { serviceAccountAccess, type Grant, type PolicyRule, type ServiceAccountAccess } from './service-account.ts';
export { statusOf } from './status-of.ts';
