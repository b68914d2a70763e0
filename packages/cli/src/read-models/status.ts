import type { DNSRecord, MemberEntry, PrometheusCluster, RolloutStatus } from '@promfleet/api';

import { checkZoneSafe, compareObjects, sortRecords, UnsafeZoneError, zoneLines } from '../endpoints/zone.ts';
import { printable } from '../output/printable.ts';
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
  readonly rollout?: RolloutStatus | undefined;
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
      members: [...(status?.clusters ?? [])].sort((a, b) => compareText(a.name, b.name)).map(printableEntry),
      endpoints: sortRecords(status?.endpoints ?? []).map(printableRecord),
      ...(status?.rollout ? { rollout: printableRollout(status.rollout) } : {}),
    };
  });
  return views.sort(compareObjects);
}

/** What members reported (messages, hosts, addresses) reaches a terminal only without control characters. */
function printableEntry(entry: MemberEntry): MemberEntry {
  return {
    ...entry,
    name: printable(entry.name),
    ...(entry.queryHost !== undefined ? { queryHost: printable(entry.queryHost) } : {}),
    ...(entry.addresses !== undefined ? { addresses: entry.addresses.map(printable) } : {}),
    ...(entry.message !== undefined ? { message: printable(entry.message) } : {}),
    ...(entry.overrides !== undefined ? { overrides: entry.overrides.map(printable) } : {}),
    ...(entry.revision !== undefined ? { revision: printable(entry.revision) } : {}),
  };
}

export function printableRollout(rollout: RolloutStatus): RolloutStatus {
  return {
    ...rollout,
    ...(rollout.targetRevision !== undefined ? { targetRevision: printable(rollout.targetRevision) } : {}),
    ...(rollout.currentWave !== undefined ? { currentWave: printable(rollout.currentWave) } : {}),
    ...(rollout.message !== undefined ? { message: printable(rollout.message) } : {}),
  };
}

/** `Progressing (target fleet-5d2c9e0a1b, wave canary): <message>`. */
export function rolloutLine(rollout: RolloutStatus): string {
  const updated = rollout.updated ?? 0;
  const total = updated + (rollout.pending ?? 0);
  const wave = rollout.currentWave === undefined ? '' : `, wave ${rollout.currentWave}`;
  return `${rollout.state ?? 'Unknown'} (target ${rollout.targetRevision ?? 'unknown'}${wave}): ${rollout.message ?? `${String(updated)}/${String(total)} members updated`}`;
}

function printableRecord(record: DNSRecord): DNSRecord {
  return {
    ...record,
    dnsName: printable(record.dnsName),
    targets: record.targets.map(printable),
    ...(record.setIdentifier !== undefined ? { setIdentifier: printable(record.setIdentifier) } : {}),
  };
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
            ['MEMBER', 'PHASE', 'READY', 'STALE', 'OVERRIDES', 'MESSAGE'],
            view.members.map((entry) => [
              entry.name,
              entry.phase,
              String(entry.ready),
              String(entry.stale),
              entry.overrides?.join(',') ?? '',
              entry.message ?? '',
            ]),
          ),
        );
  const dns = dnsLines(view);
  const rollout = view.rollout ? `  Rollout: ${rolloutLine(view.rollout)}\n` : '';
  return `${view.namespace}/${view.name}\n${members}\n${rollout}${dns}\n`;
}

function dnsLines(view: ClusterStatusView): string {
  try {
    checkZoneSafe({ namespace: view.namespace, name: view.name, endpoints: view.endpoints });
  } catch (error) {
    if (error instanceof UnsafeZoneError) return `  DNS: ${error.message}`;
    throw error;
  }
  const records = zoneLines(view.endpoints);
  return records.length === 0 ? '  DNS: no records (no ready member)' : ['  DNS:', ...records.map((line) => `    ${line}`)].join('\n');
}
