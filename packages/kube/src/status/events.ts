import { randomBytes } from 'node:crypto';

import { NotLeaderError } from '../client/errors.ts';
import type { KubeClient } from '../client/kube-client.ts';
import type { KubeObject } from '../client/objects.ts';
import { ResourceClient } from '../client/resource-client.ts';
import { CoreEvents } from '../client/resource-types.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { realClock, type Clock } from '../queue/clock.ts';
import { TokenBucketRateLimiter } from '../queue/rate-limiter.ts';
import { rfc3339 } from './conditions.ts';

export type EventType = 'Normal' | 'Warning';

interface SeenEvent {
  readonly name: string;
  readonly namespace: string;
  readonly firstTimestamp: string;
  count: number;
  lastSeen: number;
}

const AGGREGATION_WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 4096;

/**
 * client-go's spam filter (EventSourceObjectSpamFilter's defaults): 25 Events of a kind about an
 * object at once, then one per five minutes. A PrometheusCluster whose members flap would
 * otherwise write an Event for every transition of its conditions: 8 a second under B7's churn at
 * 1000 members, a seventh of the hub's writes to its API server.
 */
export const EVENT_SPAM_BURST = 25;
export const EVENT_SPAM_REFILL_MS = 300_000;

export interface EventRecorderOptions {
  readonly component: string;
  readonly instance?: string;
  readonly logger?: Logger;
  /** Times the spam filter's refill (tests move it). */
  readonly clock?: Clock;
}

/**
 * Records core/v1 Events about objects, like client-go's recorder. A repeat of the same event
 * (object, type, reason, message) within ten minutes bumps the existing Event's count instead of
 * creating another. Events are rate limited per object, type and reason (`EVENT_SPAM_*`): one
 * dropped still counts in the next repeat's count. client-go keys its filter by object alone;
 * the type and reason in the key keep a chatty transition from silencing a rare Warning such as
 * FailingStatic. Recording never throws: an Event is worth less than the reconcile that emits it.
 */
export class EventRecorder {
  readonly #events: ResourceClient<KubeObject & Record<string, unknown>>;
  readonly #component: string;
  readonly #instance: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #seen = new Map<string, SeenEvent>();
  readonly #spam = new Map<string, TokenBucketRateLimiter>();

  constructor(client: KubeClient, options: EventRecorderOptions) {
    this.#events = new ResourceClient(client, CoreEvents) as unknown as ResourceClient<KubeObject & Record<string, unknown>>;
    this.#component = options.component;
    this.#instance = options.instance ?? options.component;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? realClock;
  }

  /** Records an event; resolves when written (or dropped). */
  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = object.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const kind = [meta.uid ?? `${namespace}/${meta.name ?? ''}`, type, reason].join('\u0000');
    const key = `${kind}\u0000${message}`;
    const now = new Date();
    const seen = this.#seen.get(key);
    const repeat = seen !== undefined && now.getTime() - seen.lastSeen < AGGREGATION_WINDOW_MS;
    if (repeat) {
      seen.count++;
      seen.lastSeen = now.getTime();
    }
    if (!this.#allowed(kind)) {
      this.#logger.debug({ object: `${namespace}/${meta.name ?? ''}`, type, reason }, 'Event dropped: too many of its kind about this object');
      return;
    }
    try {
      if (repeat) {
        await this.#events.patch(seen.name, seen.namespace, { count: seen.count, lastTimestamp: rfc3339(now) });
        return;
      }
      const name = `${meta.name ?? 'object'}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
      await this.#events.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.#component },
        reportingComponent: this.#component,
        reportingInstance: this.#instance,
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        count: 1,
      });
      this.#remember(key, { name, namespace, firstTimestamp: rfc3339(now), count: 1, lastSeen: now.getTime() });
    } catch (error) {
      if (error instanceof NotLeaderError) return;
      this.#seen.delete(key);
      this.#logger.warn({ err: error instanceof Error ? error.message : String(error), reason }, 'could not record Event');
    }
  }

  /** Takes a token from the kind's bucket. */
  #allowed(kind: string): boolean {
    const bucket = this.#spam.get(kind) ?? new TokenBucketRateLimiter(1000 / EVENT_SPAM_REFILL_MS, EVENT_SPAM_BURST, this.#clock);
    setMostRecent(this.#spam, kind, bucket);
    return bucket.tryAccept();
  }

  #remember(key: string, event: SeenEvent): void {
    setMostRecent(this.#seen, key, event);
  }
}

/** Sets `key` as the map's newest entry, dropping the oldest past MAX_TRACKED (a Map iterates in insertion order). */
function setMostRecent<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
