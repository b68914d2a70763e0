import type { DNSRecord, MemberEntry, PrometheusCluster } from '@promfleet/api';

import { compareObjects, sortRecords, zoneLines } from '../endpoints/zone.ts';
import { compareText, renderTable } from '../output/table.ts';

/** One PrometheusCluster as `promfleet status` shows it; also what `-o json|yaml` prints. */
export interface ClusterStatusView {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly selected: number;
  readonly ready: number;
  readonly members: readonly MemberEntry[];
  readonly endpoints: readonly DNSRecord[];
}

export function statusViews(clusters: readonly PrometheusCluster[]): ClusterStatusView[] {
  const views: ClusterStatusView[] = clusters.map((cluster) => {
    const status = cluster.status;
    return {
      namespace: cluster.metadata.namespace ?? '',
      name: cluster.metadata.name,
      // No status yet: the hub has not reconciled it (or is not running).
      phase: status?.phase ?? 'Unknown',
      selected: status?.selected ?? 0,
      ready: status?.ready ?? 0,
      members: [...(status?.clusters ?? [])].sort((a, b) => compareText(a.name, b.name)),
      endpoints: sortRecords(status?.endpoints ?? []),
    };
  });
  return views.sort(compareObjects);
}

export function renderStatusTable(views: readonly ClusterStatusView[]): string {
  if (views.length === 0) return 'No PrometheusClusters.\n';
  const summary = renderTable(
    ['NAMESPACE/NAME', 'PHASE', 'SELECTED', 'READY'],
    views.map((view) => [`${view.namespace}/${view.name}`, view.phase, String(view.selected), String(view.ready)]),
  );
  return [summary, ...views.map(renderDetail)].join('\n');
}

function renderDetail(view: ClusterStatusView): string {
  const indent = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n');
  const members =
    view.members.length === 0
      ? '  no members selected'
      : indent(
          renderTable(
            ['MEMBER', 'PHASE', 'READY', 'STALE', 'MESSAGE'],
            view.members.map((entry) => [entry.name, entry.phase, String(entry.ready), String(entry.stale), entry.message ?? '']),
          ),
        );
  const records = zoneLines(view.endpoints);
  const dns = records.length === 0 ? '  DNS: no records (no ready member)' : ['  DNS:', ...records.map((line) => `    ${line}`)].join('\n');
  return `${view.namespace}/${view.name}\n${members}\n${dns}\n`;
}
