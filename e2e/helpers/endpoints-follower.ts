import { canonicalJSON } from '@promfleet/kube/apply';
import { connectSSE, type SSEConnection } from '@promfleet/testkit';

interface EndpointSetJSON {
  readonly namespace: string;
  readonly name: string;
  readonly endpoints: unknown;
}

/** `namespace/name` → the records as canonical JSON: what a DNS controller fed by the API holds. */
export type EndpointsView = ReadonlyMap<string, string>;

export interface EndpointsFollower {
  /** The view built from the events received so far. */
  readonly view: EndpointsView;
  /** The id of the last event applied (what `Last-Event-ID` resumes from). */
  readonly lastEventId: string | undefined;
  /** How many snapshots and changes it applied. */
  readonly applied: { snapshots: number; changes: number };
  close(): void;
}

/**
 * An SSE client of `GET /api/v1/endpoints/watch` that keeps a view the way DNS automation would:
 * a snapshot replaces it, a change sets or removes one entry. `resume` starts from an earlier
 * follower's view and event id, sending `Last-Event-ID`.
 */
export async function followEndpoints(url: string, headers: Record<string, string> = {}, resume?: EndpointsFollower): Promise<EndpointsFollower> {
  const view = new Map(resume?.view ?? []);
  const state: { lastEventId: string | undefined; closed: boolean } = { lastEventId: resume?.lastEventId, closed: false };
  const applied = { snapshots: 0, changes: 0 };
  const connection: SSEConnection = await connectSSE(`${url}/api/v1/endpoints/watch`, {
    ...headers,
    ...(resume?.lastEventId !== undefined ? { 'last-event-id': resume.lastEventId } : {}),
  });
  if (connection.status !== 200) throw new Error(`${url} watch answered ${String(connection.status)}`);
  void (async () => {
    while (!state.closed) {
      let event;
      try {
        event = await connection.next(3_600_000);
      } catch {
        return;
      }
      const data = JSON.parse(event.data) as { items?: EndpointSetJSON[] } & Partial<EndpointSetJSON>;
      if (event.event === 'snapshot') {
        view.clear();
        for (const item of data.items ?? []) view.set(`${item.namespace}/${item.name}`, canonicalJSON(item.endpoints));
        applied.snapshots++;
      } else if (event.event === 'change') {
        const key = `${data.namespace ?? ''}/${data.name ?? ''}`;
        if (data.endpoints === null) view.delete(key);
        else view.set(key, canonicalJSON(data.endpoints));
        applied.changes++;
      }
      state.lastEventId = event.id ?? state.lastEventId;
    }
  })();
  return {
    view,
    get lastEventId() {
      return state.lastEventId;
    },
    applied,
    close() {
      state.closed = true;
      connection.close();
    },
  };
}

/** What `GET /api/v1/endpoints` serves now, as a view. */
export async function servedView(url: string, headers: Record<string, string> = {}): Promise<EndpointsView> {
  const response = await fetch(`${url}/api/v1/endpoints`, { headers, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}`);
  const body = (await response.json()) as { items: EndpointSetJSON[] };
  return new Map(body.items.map((item) => [`${item.namespace}/${item.name}`, canonicalJSON(item.endpoints)]));
}

export function sameView(a: EndpointsView, b: EndpointsView): boolean {
  return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
}
