import { randomBytes } from 'node:crypto';

import { NotLeaderError } from '../client/errors.ts';
import type { KubeClient } from '../client/kube-client.ts';
import type { KubeObject } from '../client/objects.ts';
import { ResourceClient } from '../client/resource-client.ts';
import { CoreEvents } from '../client/resource-types.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
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
 * Records core/v1 Events about objects. A repeat of the same event (object, type, reason,
 * message) within ten minutes bumps the existing Event's count instead of creating another,
 * like client-go's recorder. Recording never throws: an Event is worth less than the reconcile
 * that emits it.
 */
export class EventRecorder {
  readonly #events: ResourceClient<KubeObject & Record<string, unknown>>;
  readonly #component: string;
  readonly #instance: string;
  readonly #logger: Logger;
  readonly #seen = new Map<string, SeenEvent>();

  constructor(client: KubeClient, options: { component: string; instance?: string; logger?: Logger }) {
    this.#events = new ResourceClient(client, CoreEvents) as unknown as ResourceClient<KubeObject & Record<string, unknown>>;
    this.#component = options.component;
    this.#instance = options.instance ?? options.component;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Records an event; resolves when written (or dropped). */
  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = object.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const key = [meta.uid ?? `${namespace}/${meta.name ?? ''}`, type, reason, message].join('\u0000');
    const now = new Date();
    const seen = this.#seen.get(key);
    try {
      if (seen && now.getTime() - seen.lastSeen < AGGREGATION_WINDOW_MS) {
        seen.count++;
        seen.lastSeen = now.getTime();
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

  #remember(key: string, event: SeenEvent): void {
    if (this.#seen.size >= MAX_TRACKED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(key, event);
  }
}
