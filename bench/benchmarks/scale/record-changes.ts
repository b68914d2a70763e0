import type { PrometheusCluster } from '@promfleet/api';
import type { DNSEndpoint } from '@promfleet/hub';

import type { Observer } from '../../lib/observer.ts';

interface RecordLike {
  readonly dnsName: string;
  readonly recordType?: string | undefined;
  readonly setIdentifier?: string | undefined;
  readonly targets?: readonly string[] | undefined;
}

/** A change of one record's targets (added, removed or different), and whose record it is. */
export interface RecordChange {
  readonly where: 'DNSEndpoint' | 'status.endpoints';
  readonly record: string;
  /** The member's set identifier (weighted routing), if any. */
  readonly member: string | undefined;
  readonly targets: readonly string[];
}

const recordKey = (record: RecordLike) => `${record.dnsName} ${record.recordType ?? ''} ${record.setIdentifier ?? ''}`;

function byKey(records: readonly RecordLike[] | undefined): Map<string, RecordLike> {
  return new Map((records ?? []).map((record) => [recordKey(record), record]));
}

function diff(where: RecordChange['where'], before: readonly RecordLike[] | undefined, after: readonly RecordLike[] | undefined): RecordChange[] {
  const old = byKey(before);
  const now = byKey(after);
  const changes: RecordChange[] = [];
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const a = [...(old.get(key)?.targets ?? [])].sort().join(',');
    const b = [...(now.get(key)?.targets ?? [])].sort().join(',');
    const record = now.get(key) ?? old.get(key);
    if (a !== b && record) changes.push({ where, record: key, member: record.setIdentifier, targets: [...(record.targets ?? [])] });
  }
  return changes;
}

/**
 * Every change of a DNS record of one PrometheusCluster, in its DNSEndpoint and in its
 * status.endpoints, from the moment `start` is called: what DNS automation would push to a zone.
 */
export class RecordChanges {
  readonly changes: RecordChange[] = [];
  #recording = false;

  constructor(key: string, clusters: Observer<PrometheusCluster>, dnsEndpoints: Observer<DNSEndpoint>) {
    const ours = (object: { metadata?: { name?: string | undefined; namespace?: string | undefined } | undefined }) =>
      `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}` === key;
    const record = (where: RecordChange['where'], before: readonly RecordLike[] | undefined, after: readonly RecordLike[] | undefined) => {
      if (this.#recording) this.changes.push(...diff(where, before, after));
    };
    const endpointsOf = (cluster: PrometheusCluster) => cluster.status?.endpoints;
    const recordsOf = (endpoint: DNSEndpoint) => endpoint.spec?.endpoints;
    clusters.cache.addHandler({
      onAdd: (after) => {
        if (ours(after)) record('status.endpoints', undefined, endpointsOf(after));
      },
      onUpdate: (before, after) => {
        if (ours(after)) record('status.endpoints', endpointsOf(before), endpointsOf(after));
      },
      onDelete: (before) => {
        if (ours(before)) record('status.endpoints', endpointsOf(before), undefined);
      },
    });
    dnsEndpoints.cache.addHandler({
      onAdd: (after) => {
        if (ours(after)) record('DNSEndpoint', undefined, recordsOf(after));
      },
      onUpdate: (before, after) => {
        if (ours(after)) record('DNSEndpoint', recordsOf(before), recordsOf(after));
      },
      onDelete: (before) => {
        if (ours(before)) record('DNSEndpoint', recordsOf(before), undefined);
      },
    });
  }

  start(): void {
    this.changes.length = 0;
    this.#recording = true;
  }

  stop(): RecordChange[] {
    this.#recording = false;
    return [...this.changes];
  }
}
