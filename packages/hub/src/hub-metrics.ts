import type { KitMetrics } from '@promfleet/kube/observability';
import { Counter, Gauge } from 'prom-client';

/** The hub's own metrics, in the kit's registry. */
export function hubMetrics(metrics: KitMetrics) {
  const registers = [metrics.registry];
  return {
    memberReady: new Gauge({
      name: 'promfleet_member_ready',
      help: '1 while a member is Ready (reachable and authorized), else 0.',
      labelNames: ['member'],
      registers,
    }),
    credentialExpiry: new Gauge({
      name: 'promfleet_member_credential_expiry_timestamp_seconds',
      help: "When a member's credential (token or client certificate) expires, as a Unix time; absent when it does not.",
      labelNames: ['member'],
      registers,
    }),
    endpointTargets: new Gauge({
      name: 'promfleet_endpoint_targets',
      help: 'DNS targets a PrometheusCluster publishes.',
      labelNames: ['namespace', 'name'],
      registers,
    }),
    dnsFailingStatic: new Gauge({
      name: 'promfleet_dns_failing_static',
      help: 'The leader hub keeps publishing the last known records of unreachable members of a PrometheusCluster (1), because fewer than spec.dns.minHealthyPercent are reachable; 0 when it publishes normally.',
      labelNames: ['namespace', 'name'],
      registers,
    }),
    rollCalls: new Counter({
      name: 'promfleet_member_roll_calls_total',
      help: 'Roll calls: a member stopped answering its probes, so every member was probed at once (failing static sees a hub cut off from its fleet whole).',
      registers,
    }),
    clusterPasses: new Counter({
      name: 'promfleet_cluster_passes_total',
      help: 'PrometheusCluster reconciles by kind: "full" looks at every selected member (spec, members, reachability or a rollout changed), "members" takes in the replica status changes of a few members alone.',
      labelNames: ['pass'],
      registers,
    }),
  };
}

export type HubMetrics = ReturnType<typeof hubMetrics>;
