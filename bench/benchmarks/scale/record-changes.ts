import type { DNSRecord } from '@promfleet/api';
import type { DNSEndpoint } from '@promfleet/hub';

import type { FleetObservers } from '../../lib/fleet-observers.ts';
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
 * Every change of a DNS record of one PrometheusCluster, in its DNSEndpoints (its own and its
 * shards') and in its status.endpoints (its shards' merged in), from the moment `start` is
 * called: what DNS automation would push to a zone.
 */
export class RecordChanges {
  readonly changes: RecordChange[] = [];
  #recording = false;

  constructor(key: string, observers: FleetObservers, dnsEndpoints: Observer<DNSEndpoint>) {
    const ours = (object: { metadata?: { name?: string | undefined; namespace?: string | undefined } | undefined }) => {
      const objectKey = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
      return objectKey === key || objectKey.startsWith(`${key}.`);
    };
    const record = (where: RecordChange['where'], before: readonly RecordLike[] | undefined, after: readonly RecordLike[] | undefined) => {
      if (this.#recording) this.changes.push(...diff(where, before, after));
    };
    // The status as readers see it, whole: compared with what it was at the last event of the cluster or a shard.
    let published: readonly DNSRecord[] | undefined = observers.whole(key)?.status?.endpoints;
    const statusChanged = (object: { metadata?: { name?: string | undefined; namespace?: string | undefined } | undefined }) => {
      if (!ours(object)) return;
      const now = observers.whole(key)?.status?.endpoints;
      record('status.endpoints', published, now);
      published = now;
    };
    const statusEvents = {
      onAdd: statusChanged,
      onUpdate: (_before: unknown, after: Parameters<typeof statusChanged>[0]) => {
        statusChanged(after);
      },
      onDelete: statusChanged,
    };
    observers.clusters.cache.addHandler(statusEvents);
    observers.shards.cache.addHandler(statusEvents);
    const recordsOf = (endpoint: DNSEndpoint) => endpoint.spec?.endpoints;
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
