import { KubeApiError } from './errors.ts';
import type { KubeObject, Status } from './objects.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/**
 * Splits a watch response into events. An ERROR event (410 Gone for a too-old resourceVersion,
 * among others) ends the stream by throwing the Status it carries as a KubeApiError.
 */
export async function* watchEvents<T extends KubeObject>(cluster: string, chunks: AsyncIterable<Buffer>, what: string): AsyncGenerator<WatchEvent<T>> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (line === '') continue;
      const event = JSON.parse(line) as { type: WatchEventType | 'ERROR'; object: T | Status };
      if (event.type === 'ERROR') {
        const status = event.object as Status;
        throw new KubeApiError(cluster, status.code ?? 500, status, what);
      }
      yield event as WatchEvent<T>;
    }
  }
}
