import { readFile } from 'node:fs/promises';

import { PrometheusClusters, storeEndpoint, thanosFileSD, type StoreEndpoint } from '@promfleet/api';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { Agent, fetch } from 'undici';

import { UnreachableError } from '../errors.ts';
import { EndpointsApiError, type EndpointsApiOptions } from './sources.ts';

/** The StoreAPI endpoints of one PrometheusCluster with `spec.storeAPI`. */
export interface StoreSet {
  readonly namespace: string;
  readonly name: string;
  readonly targets: readonly StoreEndpoint[];
}

const targets = storeEndpoint.array();

/** Every PrometheusCluster with a StoreAPI and its status.storeEndpoints, read from the hub; addresses checked (members reported them). */
export async function hubStoreSets(hub: KubeClient): Promise<StoreSet[]> {
  const { items } = await new ResourceClient(hub, PrometheusClusters).listAll();
  return items
    .filter((cluster) => cluster.spec.storeAPI !== undefined)
    .map((cluster) => {
      const { namespace = '', name } = cluster.metadata;
      const parsed = targets.safeParse(cluster.status?.storeEndpoints ?? []);
      if (!parsed.success) throw new EndpointsApiError(`PrometheusCluster ${namespace}/${name}: status.storeEndpoints holds an address that is not host:port`);
      return { namespace, name, targets: parsed.data };
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** `GET <url>/api/v1/stores` from the hub's endpoints API. */
export async function apiStoreSets(options: EndpointsApiOptions): Promise<StoreSet[]> {
  const url = `${options.url.replace(/\/+$/, '')}/api/v1/stores`;
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
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new EndpointsApiError(`GET ${url}: the response is not JSON`);
    }
    const { items } = (body ?? {}) as { items?: unknown };
    if (!Array.isArray(items)) throw new EndpointsApiError(`GET ${url}: expected { revision, items }`);
    return items.map((item: unknown, index): StoreSet => {
      const { namespace, name, targets: listed } = (item ?? {}) as { namespace?: unknown; name?: unknown; targets?: unknown };
      const parsed = targets.safeParse(listed);
      if (typeof namespace !== 'string' || typeof name !== 'string' || !parsed.success) {
        throw new EndpointsApiError(`GET ${url}: items[${String(index)}] is not { namespace, name, targets: [{ member, address (host:port) }] }`);
      }
      return { namespace, name, targets: parsed.data };
    });
  } finally {
    await dispatcher.close();
  }
}

/** Thanos file SD, one target group per PrometheusCluster: what its global Query reads. */
export function renderThanosSD(sets: readonly StoreSet[]): string {
  return thanosFileSD(sets.map((set) => set.targets));
}
