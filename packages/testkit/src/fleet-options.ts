import type { KubeAssets } from './assets.ts';
import type { KubeletOptions } from './kubelet/kubelet.ts';
import { isLoadBalancerMode, type LoadBalancerMode } from './load-balancer/addresses.ts';

export interface FleetOptions {
  /** Cluster names, e.g. `['hub', 'eu', 'us']`; lower-case DNS labels. */
  readonly clusters: readonly string[];
  /** Run a kube-controller-manager per cluster (Deployments and StatefulSets get pods). */
  readonly controllerManager?: boolean;
  /**
   * Run a fake kubelet per cluster, which binds pods to its node and reports them running.
   * Default: on when `controllerManager` is.
   */
  readonly kubelet?: boolean | KubeletOptions;
  /**
   * Run a fake load balancer per cluster (default on, IPv4 addresses); a record sets the
   * address kind per cluster name, `ipv4` for clusters it leaves out.
   */
  readonly loadBalancer?: boolean | Readonly<Record<string, LoadBalancerMode>>;
  readonly assets?: KubeAssets;
  /** The API servers serve Go's CPU and heap profiler at `/debug/pprof` to the admin: for benchmarks that ask where an API server's time goes. */
  readonly apiServerProfiling?: boolean;
}

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** Rejects options that would only fail later, half-started. */
export function checkFleetOptions(options: FleetOptions): void {
  if (options.clusters.length === 0) throw new Error('startFleet: at least one cluster is needed');
  if (new Set(options.clusters).size !== options.clusters.length) throw new Error('startFleet: cluster names must be unique');
  for (const name of options.clusters) {
    if (!CLUSTER_NAME.test(name)) throw new Error(`startFleet: cluster name ${JSON.stringify(name)} is not a lower-case DNS label`);
  }
  if (typeof options.loadBalancer === 'object') {
    for (const [name, mode] of Object.entries(options.loadBalancer)) {
      if (!options.clusters.includes(name)) throw new Error(`startFleet: loadBalancer names unknown cluster ${JSON.stringify(name)}`);
      if (!isLoadBalancerMode(mode)) throw new Error(`startFleet: loadBalancer mode ${JSON.stringify(mode)} for ${name} is not ipv4, ipv6 or hostname`);
    }
  }
}

/** The fake kubelet's options for a cluster, or undefined when the fleet runs none. */
export function kubeletOptions(options: FleetOptions): KubeletOptions | undefined {
  const setting = options.kubelet ?? options.controllerManager ?? false;
  if (setting === false) return undefined;
  return setting === true ? {} : setting;
}

/** The load balancer's starting mode for a cluster, or undefined when the fleet runs none. */
export function loadBalancerMode(options: FleetOptions, cluster: string): LoadBalancerMode | undefined {
  const setting = options.loadBalancer ?? true;
  if (setting === false) return undefined;
  return setting === true ? 'ipv4' : (setting[cluster] ?? 'ipv4');
}
