import type { DNSRecord } from '@promfleet/api';

import { compareText } from '../output/table.ts';

/** The round-robin records of one PrometheusCluster, as the hub's status and endpoints API give them. */
export interface EndpointSet {
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[];
}

/** One record with the PrometheusCluster it belongs to: what `endpoints --format json` prints. */
export interface FlatRecord extends DNSRecord {
  readonly namespace: string;
  readonly name: string;
}

const TYPE_ORDER: Record<string, number> = { A: 0, AAAA: 1, CNAME: 2 };

/** Digit runs compare as numbers, so 192.0.2.9 sorts before 192.0.2.10; otherwise code-unit order. */
export function compareNatural(a: string, b: string): number {
  const chunks = (text: string) => text.match(/\d+|\D+/g) ?? [];
  const left = chunks(a);
  const right = chunks(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    const order = numeric ? Number(x) - Number(y) || compareText(x, y) : compareText(x, y);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

function compareRecords(a: DNSRecord, b: DNSRecord): number {
  return (
    compareText(absolute(a.dnsName), absolute(b.dnsName)) ||
    (TYPE_ORDER[a.recordType] ?? 9) - (TYPE_ORDER[b.recordType] ?? 9) ||
    compareText(a.setIdentifier ?? '', b.setIdentifier ?? '') ||
    compareNatural(a.targets.join(','), b.targets.join(','))
  );
}

/** Records in a stable order, each with its targets sorted. */
export function sortRecords(records: readonly DNSRecord[]): DNSRecord[] {
  return records.map((record) => ({ ...record, targets: [...record.targets].sort(compareNatural) })).sort(compareRecords);
}

/** Namespace, then name. */
export function compareObjects(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

export function sortedSets(sets: readonly EndpointSet[]): EndpointSet[] {
  return [...sets].sort(compareObjects).map((set) => ({ ...set, endpoints: sortRecords(set.endpoints) }));
}

export function flattenRecords(sets: readonly EndpointSet[]): FlatRecord[] {
  return sortedSets(sets).flatMap((set) => set.endpoints.map((record) => ({ namespace: set.namespace, name: set.name, ...record })));
}

/** A name with its trailing dot: zone files read names without one as relative to the origin. */
export function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/**
 * BIND zone lines for records, one per target: `query.example.com. 30 IN A 192.0.2.10`. CNAME
 * records carry their set identifier in a comment: they are alternatives (one per member) for
 * a DNS provider with weighted or set-identified records, not one RRset.
 */
export function zoneLines(records: readonly DNSRecord[]): string[] {
  return sortRecords(records).flatMap((record) =>
    record.targets.map((target) => {
      const value = record.recordType === 'CNAME' ? absolute(target) : target;
      const comment = record.setIdentifier === undefined ? '' : ` ; set-identifier ${record.setIdentifier}`;
      return `${absolute(record.dnsName)} ${String(record.ttl)} IN ${record.recordType} ${value}${comment}`;
    }),
  );
}

/** The records of every PrometheusCluster, each group under a comment naming it. */
export function renderZone(sets: readonly EndpointSet[]): string {
  const sections = sortedSets(sets).map((set) => {
    const lines = zoneLines(set.endpoints);
    return [`; ${set.namespace}/${set.name}${lines.length === 0 ? ': no records (no ready member)' : ''}`, ...lines].join('\n');
  });
  return sections.length === 0 ? '; no PrometheusClusters\n' : `${sections.join('\n\n')}\n`;
}
