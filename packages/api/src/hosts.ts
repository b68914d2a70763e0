/**
 * The public host names of a fleet under its baseDomain: each member's Ingress answers for them,
 * and the hub publishes the members' addresses under them, so the operator and the hub must agree.
 */
export function queryHost(baseDomain: string): string {
  return `query.${baseDomain}`;
}

export function grafanaHost(baseDomain: string): string {
  return `grafana.${baseDomain}`;
}

/** Every host name a fleet serves: Thanos Query, and Grafana when it is enabled. */
export function publicHosts(baseDomain: string, grafanaEnabled: boolean): string[] {
  return [queryHost(baseDomain), ...(grafanaEnabled ? [grafanaHost(baseDomain)] : [])];
}
