import { KubeApiError, KubeResponseTooLargeError } from './errors.ts';
import type { KubeObject, Status } from './objects.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/**
 * Splits a watch response into events. An ERROR event (410 Gone for a too-old resourceVersion,
 * among others) ends the stream by throwing the Status it carries as a KubeApiError. With
 * `maxEventBytes`, a line that grows past it (a server that never sends a newline) ends the
 * stream with a bounded error.
 */
export async function* watchEvents<T extends KubeObject>(
  cluster: string,
  chunks: AsyncIterable<Buffer>,
  what: string,
  maxEventBytes?: number,
): AsyncGenerator<WatchEvent<T>> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (line === '') continue;
      const event = parseEvent(line, cluster, what) as { type: WatchEventType | 'ERROR'; object: T | Status };
      if (event.type === 'ERROR') {
        const status = event.object as Status;
        throw new KubeApiError(cluster, status.code ?? 500, status, what);
      }
      yield event as WatchEvent<T>;
    }
    // What is left has no newline yet: one event in progress.
    if (maxEventBytes !== undefined && pending.length > maxEventBytes) throw new KubeResponseTooLargeError(cluster, what, maxEventBytes, 'watch event');
  }
}

/** One watch line; a line that is not JSON is reported without its content (a server's words are not ours to log). */
function parseEvent(line: string, cluster: string, what: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${cluster}: ${what}: a watch event is not JSON`);
  }
}
