import { dnsLabelName, dnsRecords } from '@promfleet/api';
import type { KitMetrics } from '@promfleet/kube/observability';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';

import type { EndpointChange, EndpointSet } from './store.ts';

/**
 * What readers take from Redis, checked one entry at a time with the same record schema the CRD
 * and the endpoints API use: Redis is shared, and whatever else can write to it must not be able
 * to publish records the hub never built, nor stop every reader by writing one bad value.
 */

const objectName = dnsLabelName(63);
const records = dnsRecords;

/** A pub/sub message: a change to one set, or "reload everything". */
const message = z.union([
  z.strictObject({ revision: z.number().int().nonnegative(), resync: z.literal(true) }),
  z.strictObject({ revision: z.number().int().nonnegative(), key: z.string(), endpoints: records.nullable() }),
]);

export type StoreMessage =
  { readonly revision: number; readonly resync: true } | (Omit<EndpointChange, 'revision'> & { readonly revision: number; readonly key: string });

function splitKey(key: string): { namespace: string; name: string } | undefined {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return slash > 0 && objectName.safeParse(namespace).success && objectName.safeParse(name).success ? { namespace, name } : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One hash entry as a set of records, or undefined when it is not one the hub could have written. */
export function readEntry(key: string, json: string): EndpointSet | undefined {
  const names = splitKey(key);
  const parsed = records.safeParse(parse(json));
  return names && parsed.success ? { ...names, endpoints: parsed.data } : undefined;
}

/** A pub/sub message, or undefined when it is not one the hub could have sent. */
export function readMessage(text: string): StoreMessage | undefined {
  const parsed = message.safeParse(parse(text));
  if (!parsed.success) return undefined;
  if ('resync' in parsed.data) return { revision: parsed.data.revision, resync: true };
  const names = splitKey(parsed.data.key);
  return names ? { revision: parsed.data.revision, key: parsed.data.key, ...names, endpoints: parsed.data.endpoints } : undefined;
}

/** `promfleet_endpoint_store_invalid_entries{_total}`: what was skipped. */
export class StoreEntryMetrics {
  readonly #rejected: Counter<'kind'>;
  readonly #skipped: Gauge;

  constructor(metrics: KitMetrics) {
    const registers = [metrics.registry];
    this.#rejected = new Counter({
      name: 'promfleet_endpoint_store_invalid_entries_total',
      help: 'Entries (entry) and change messages (message) read from Redis that failed validation and were skipped.',
      labelNames: ['kind'],
      registers,
    });
    this.#skipped = new Gauge({
      name: 'promfleet_endpoint_store_invalid_entries',
      help: 'Entries in Redis not served because they failed validation, as of the last load.',
      registers,
    });
  }

  rejected(kind: 'entry' | 'message', count = 1): void {
    if (count > 0) this.#rejected.inc({ kind }, count);
  }

  skipped(count: number): void {
    this.#skipped.set(count);
  }
}
