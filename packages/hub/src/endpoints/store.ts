import type { DNSRecord, StoreEndpoint } from '@promfleet/api';
import type { HealthCheck } from '@promfleet/kube/observability';

import { canonicalArray } from './object-json.ts';

/** The records one PrometheusCluster publishes, and its members' StoreAPI endpoints when it has `spec.storeAPI`. */
export interface EndpointSet {
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[];
  /** Absent without `spec.storeAPI`: such a cluster is not in `/api/v1/stores`. */
  readonly stores?: readonly StoreEndpoint[] | undefined;
}

/**
 * What readers are served. `revision` is derived from the content alone (a digest of every set),
 * so every replica serving the same records — hub or API-only, with Redis or without — has the
 * same revision, ETag and SSE event ids; it says "these records", not "how many changes".
 */
export interface EndpointSnapshot {
  readonly revision: string;
  /** Sorted by namespace/name. */
  readonly items: readonly EndpointSet[];
}

/** One change: a set replaced (`endpoints`, and `stores` when it has them) or removed (`endpoints: null`); `revision` is the content's after it. */
export interface EndpointChange {
  readonly revision: string;
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[] | null;
  readonly stores?: readonly StoreEndpoint[] | undefined;
}

/**
 * A set as it is digested and stored in Redis: its records alone (the form from before StoreAPI
 * endpoints, so the revision and the Redis entry of a cluster without them are unchanged), or
 * `{endpoints, stores}`.
 */
export function encodeSet(set: Pick<EndpointSet, 'endpoints' | 'stores'>): string {
  // canonicalJSON of the same value, written from each object's kept text: "endpoints" sorts before "stores".
  const records = canonicalArray(set.endpoints);
  return set.stores === undefined ? records : `{"endpoints":${records},"stores":${canonicalArray(set.stores)}}`;
}

/** What readers are told: a change, or "start over from this snapshot" (after a gap or a resync). */
export type StoreEvent = { readonly type: 'change'; readonly change: EndpointChange } | { readonly type: 'snapshot'; readonly snapshot: EndpointSnapshot };

/** The writer's side: only the leader hub writes. */
export interface EndpointWriter {
  /** Stores a set; no revision and no event when it is unchanged. */
  put(set: EndpointSet): Promise<void>;
  remove(namespace: string, name: string): Promise<void>;
  /** Replaces everything (a republish after the backend lost its data). */
  replaceAll(sets: readonly EndpointSet[]): Promise<void>;
}

/** The reader's side: served from a local copy, so reads never wait on the backend. */
export interface EndpointReader {
  snapshot(): EndpointSnapshot;
  get(namespace: string, name: string): EndpointSet | undefined;
  /**
   * The changes that turn the content of `revision` into the current one, when this reader went
   * through that content recently; undefined otherwise (send a snapshot).
   */
  changesSince(revision: string): EndpointChange[] | undefined;
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** Why there is nothing to serve yet (not ready, the API answers 503); undefined once there is. */
  waiting(): string | undefined;
  /** Undefined when healthy; otherwise why the data may be old (`/readyz` says degraded). */
  degraded(): string | undefined;
}

export interface EndpointStore extends EndpointWriter, EndpointReader {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function setKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** `/readyz`'s view of a store: not ready while it has nothing to serve, degraded while its data may be old. */
export function endpointStoreCheck(store: EndpointReader): HealthCheck {
  return {
    name: 'endpoint-store',
    check: () => {
      const degraded = store.degraded();
      return store.waiting() ?? (degraded === undefined ? undefined : { degraded });
    },
  };
}
