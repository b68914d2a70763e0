import { dnsLabelName, dnsRecordFields, formatPath, type DNSRecord } from '@promfleet/api';

import { hasUnprintable } from '../output/printable.ts';
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
 * BIND zone lines for records, one per target: `query.example.com. 30 IN A 192.0.2.10`. Records
 * with a set identifier carry it and their routing policy in a comment: they are alternatives (one
 * per member) for a DNS provider with weighted or multivalue records, not one RRset.
 */
export function zoneLines(records: readonly DNSRecord[]): string[] {
  return sortRecords(records).flatMap((record) =>
    record.targets.map((target) => {
      const value = record.recordType === 'CNAME' ? absolute(target) : target;
      const policy =
        record.routingPolicy === undefined ? '' : `, ${record.routingPolicy}${record.weight === undefined ? '' : ` weight ${String(record.weight)}`}`;
      const comment = record.setIdentifier === undefined ? '' : ` ; set-identifier ${record.setIdentifier}${policy}`;
      return `${absolute(record.dnsName)} ${String(record.ttl)} IN ${record.recordType} ${value}${comment}`;
    }),
  );
}

/** Records that a zone file cannot hold safely (a target with a newline would add records, or `$INCLUDE` a file). */
export class UnsafeZoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZoneError';
  }
}

const objectName = dnsLabelName(63);
// Each field's format, which is what a zone file needs; how the fields go together is the hub's concern (and older hubs' records print too).
const recordFormat = dnsRecordFields();

/**
 * Every record checked against the schema the CRD carries (names, targets and set identifiers
 * that are DNS names or addresses, nothing else); throws naming the PrometheusCluster and field.
 */
export function checkZoneSafe(set: EndpointSet): void {
  const where = `${printableName(set.namespace)}/${printableName(set.name)}`;
  if (!objectName.safeParse(set.namespace).success || !objectName.safeParse(set.name).success)
    throw new UnsafeZoneError(`refusing to print records of ${where}: its namespace or name is not a Kubernetes name`);
  for (const [index, record] of set.endpoints.entries()) {
    const checked = recordFormat.safeParse(record);
    if (!checked.success) {
      const fields = [...new Set(checked.error.issues.map((issue) => formatPath(issue.path)))].join(', ');
      throw new UnsafeZoneError(
        `refusing to print records of ${where}: endpoints[${String(index)}] (${fields}) is not a DNS name, address or set identifier a zone file can hold`,
      );
    }
  }
}

/** The records of every PrometheusCluster, each group under a comment naming it; refuses records that are not safe to print. */
export function renderZone(sets: readonly EndpointSet[]): string {
  const sections = sortedSets(sets).map((set) => {
    checkZoneSafe(set);
    const lines = zoneLines(set.endpoints);
    return [`; ${set.namespace}/${set.name}${lines.length === 0 ? ': no records (no ready member)' : ''}`, ...lines].join('\n');
  });
  const zone = sections.length === 0 ? '; no PrometheusClusters\n' : `${sections.join('\n\n')}\n`;
  // Whatever the checks above, a zone file with a control character in it is never printed.
  if (hasUnprintable(zone.replaceAll('\n', ''))) throw new UnsafeZoneError('refusing to print a zone with control characters in it');
  return zone;
}

function printableName(text: string): string {
  return JSON.stringify(text).slice(1, -1).slice(0, 80);
}
