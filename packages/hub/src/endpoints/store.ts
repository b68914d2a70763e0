import type { DNSRecord } from '@promfleet/api';

/** The records one PrometheusCluster publishes. */
export interface EndpointSet {
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[];
}

export interface EndpointSnapshot {
  readonly revision: number;
  /** Sorted by namespace/name. */
  readonly items: readonly EndpointSet[];
}

/** One change: a set replaced (`endpoints`) or removed (`endpoints: null`). */
export interface EndpointChange {
  readonly revision: number;
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: readonly DNSRecord[] | null;
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
  /** Changes after `revision`, or undefined when they are no longer known (send a snapshot). */
  changesSince(revision: number): EndpointChange[] | undefined;
  subscribe(listener: (event: StoreEvent) => void): () => void;
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
