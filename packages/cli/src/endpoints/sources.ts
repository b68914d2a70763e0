import { readFile } from 'node:fs/promises';

import { dnsRecordFields, PrometheusClusters } from '@promfleet/api';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { Agent, fetch } from 'undici';

import { UnreachableError } from '../errors.ts';
import { wholeClusters } from '../read-models/whole-clusters.ts';
import type { EndpointSet } from './zone.ts';

/** Each record field in its format; an older hub's records (a set identifier without a routing policy) still print. */
const recordsFormat = dnsRecordFields().array();

/** The records in every PrometheusCluster's status (and its shards), read from the hub. */
export async function hubEndpointSets(hub: KubeClient): Promise<EndpointSet[]> {
  const { items } = await new ResourceClient(hub, PrometheusClusters).listAll();
  return (await wholeClusters(hub, items)).map((cluster) => ({
    namespace: cluster.metadata.namespace ?? '',
    name: cluster.metadata.name,
    endpoints: cluster.status?.endpoints ?? [],
  }));
}

export interface EndpointsApiOptions {
  /** Base URL of the hub's endpoints API, e.g. `https://promfleet.example.com`. */
  readonly url: string;
  /** File holding a bearer token (`--api-token-file`); its content is never printed. */
  readonly tokenFile?: string | undefined;
  /** PEM CA certificates to trust for https (`--api-ca-file`). */
  readonly caFile?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface EndpointsSnapshot {
  /** Content-derived (a string); hubs before it counted (a number). */
  readonly revision: string | number;
  readonly sets: EndpointSet[];
}

/** The endpoints API's answer was not what it serves: `{ revision, items: [{ namespace, name, endpoints }] }`. */
export class EndpointsApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointsApiError';
  }
}

/** `GET <url>/api/v1/endpoints` from the hub's endpoints API, which needs no Kubernetes credentials. */
export async function apiEndpointSets(options: EndpointsApiOptions): Promise<EndpointsSnapshot> {
  const { url, text } = await getFromEndpointsApi(options, '/api/v1/endpoints');
  return parseSnapshot(url, text);
}

/**
 * One GET from the hub's endpoints API (bearer token from a file, optional CA): the URL asked and
 * the body of a 2xx answer; an unreachable hub is an UnreachableError, any other status an
 * EndpointsApiError naming it.
 */
export async function getFromEndpointsApi(options: EndpointsApiOptions, path: string): Promise<{ url: string; text: string }> {
  const url = `${options.url.replace(/\/+$/, '')}${path}`;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'promfleet-cli' };
  if (options.tokenFile !== undefined) headers.authorization = `Bearer ${(await readFile(options.tokenFile, 'utf8')).trim()}`;
  const dispatcher = new Agent(options.caFile === undefined ? {} : { connect: { ca: await readFile(options.caFile, 'utf8') } });
  try {
    let response;
    try {
      response = await fetch(url, { headers, dispatcher, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (error) {
      throw new UnreachableError(url, error);
    }
    const text = await response.text();
    if (!response.ok) throw new EndpointsApiError(`GET ${url}: ${String(response.status)} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
    return { url, text };
  } finally {
    await dispatcher.close();
  }
}

function parseSnapshot(url: string, text: string): EndpointsSnapshot {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EndpointsApiError(`GET ${url}: the response is not JSON`);
  }
  const { revision, items } = (body ?? {}) as { revision?: unknown; items?: unknown };
  if ((typeof revision !== 'string' && typeof revision !== 'number') || !Array.isArray(items))
    throw new EndpointsApiError(`GET ${url}: expected { revision, items }`);
  const sets = items.map((item: unknown, index): EndpointSet => {
    const { namespace, name, endpoints } = (item ?? {}) as { namespace?: unknown; name?: unknown; endpoints?: unknown };
    const records = recordsFormat.safeParse(endpoints);
    if (typeof namespace !== 'string' || typeof name !== 'string' || !records.success) {
      throw new EndpointsApiError(`GET ${url}: items[${String(index)}] is not { namespace, name, endpoints: [{ dnsName, recordType, targets, ttl }] }`);
    }
    return { namespace, name, endpoints: records.data };
  });
  return { revision, sets };
}
