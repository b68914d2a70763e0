import type { MemberCluster, PrometheusCluster } from '@promfleet/api';
import { memberViews, renderMembers, renderStatus, statusViews } from '@promfleet/cli';

/**
 * The demo's picture of the fleet, with the tables `promfleet members` and `promfleet status`
 * print: members, each cluster's replicas and phases, and its DNS records.
 */
export function renderFleet(members: readonly MemberCluster[], clusters: readonly PrometheusCluster[], now: Date): string {
  return [
    'MEMBERS',
    renderMembers(memberViews(members, now), 'table', now).trimEnd(),
    '',
    'PROMETHEUS CLUSTERS',
    renderStatus(statusViews(clusters), 'table').trimEnd(),
  ].join('\n');
}
