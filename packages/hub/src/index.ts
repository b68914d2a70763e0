export * from './hub.ts';
export * from './flags.ts';
export * from './rbac.ts';
export * from './fanout/dns-records.ts';
export * from './fanout/desired-replica.ts';
export { DNSEndpoints, type DNSEndpoint } from './endpoints/dnsendpoint-writer.ts';
export { hubMetrics, type HubMetrics } from './hub-metrics.ts';
