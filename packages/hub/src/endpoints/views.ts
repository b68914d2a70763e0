import type { DNSRecord } from '@promfleet/api';

import { jsonArray } from './object-json.ts';
import type { EndpointChange, EndpointSet, EndpointSnapshot } from './store.ts';

/**
 * What each API serves of the endpoint content. The records and the StoreAPI endpoints of a
 * PrometheusCluster travel together (one revision, one Redis entry, one change), and each API
 * shows its own part: `/api/v1/endpoints` the records, `/api/v1/stores` the members' StoreAPI
 * addresses of the clusters that have `spec.storeAPI`.
 */

export type View = 'endpoints' | 'stores';

export interface StoreTarget {
  readonly member: string;
  readonly address: string;
}

export interface StoreSet {
  readonly namespace: string;
  readonly name: string;
  readonly targets: readonly StoreTarget[];
}

function recordsOf(set: EndpointSet): { namespace: string; name: string; endpoints: readonly DNSRecord[] } {
  return { namespace: set.namespace, name: set.name, endpoints: set.endpoints };
}

export function storesOf(set: EndpointSet): StoreSet | undefined {
  return set.stores === undefined
    ? undefined
    : { namespace: set.namespace, name: set.name, targets: set.stores.map(({ member, address }) => ({ member, address })) };
}

export function projectSnapshot(snapshot: EndpointSnapshot, view: View): object {
  if (view === 'endpoints') return { revision: snapshot.revision, items: snapshot.items.map(recordsOf) };
  return { revision: snapshot.revision, items: snapshot.items.map(storesOf).filter((set) => set !== undefined) };
}

/** A change as a watcher of `view` sees it; for stores, a cluster without them (or removed) has `targets: null`. */
export function projectChange(change: EndpointChange, view: View): object {
  const { revision, namespace, name } = change;
  if (view === 'endpoints') return { revision, namespace, name, endpoints: change.endpoints };
  const targets = change.endpoints === null || change.stores === undefined ? null : change.stores.map(({ member, address }) => ({ member, address }));
  return { revision, namespace, name, targets };
}

/**
 * `JSON.stringify(projectChange(change, view))`, with the records written from their kept text: a
 * change carries the cluster's whole set, and a watcher is sent one per change.
 */
export function changeJSON(change: EndpointChange, view: View): string {
  if (view !== 'endpoints' || change.endpoints === null) return JSON.stringify(projectChange(change, view));
  const { revision, namespace, name } = change;
  const head = JSON.stringify({ revision, namespace, name });
  return `${head.slice(0, -1)},"endpoints":${jsonArray(change.endpoints)}}`;
}
