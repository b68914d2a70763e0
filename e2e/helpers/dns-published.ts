import type { DNSRecord, PrometheusCluster } from '@promfleet/api';
import { DNSEndpoints, type DNSEndpoint } from '@promfleet/hub';
import { ResourceClient, type KubeClient } from '@promfleet/kube/client';

/**
 * Everything a DNS consumer can read about one PrometheusCluster's records at one moment: its
 * `status.endpoints`, its DNSEndpoint (with the resourceVersion, so any write shows, even one
 * that wrote the same thing back) and the ETag of each endpoints API.
 */
export interface PublishedDNS {
  readonly status: readonly DNSRecord[];
  readonly dnsEndpoint: { readonly resourceVersion: string | undefined; readonly spec: DNSEndpoint['spec'] } | undefined;
  readonly etags: readonly string[];
}

/** The ETag an endpoints API (the hub or an API-only replica) answers now. */
export async function etagOf(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}/api/v1/endpoints`, { headers, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}`);
  return response.headers.get('etag') ?? '';
}

/** The status code a conditional GET of every set gets. */
export async function conditionalStatus(url: string, etag: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${url}/api/v1/endpoints`, { headers: { ...headers, 'if-none-match': etag }, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

export async function dnsEndpointOf(hub: KubeClient, name: string): Promise<DNSEndpoint | undefined> {
  return new ResourceClient(hub, DNSEndpoints).get(name, 'default');
}

/** What is published for `default/name` in the hub and served by the APIs at `urls`. */
export async function publishedDNS(
  hub: KubeClient,
  cluster: PrometheusCluster | undefined,
  urls: readonly string[],
  headers: Record<string, string> = {},
): Promise<PublishedDNS> {
  const endpoint = await dnsEndpointOf(hub, cluster?.metadata.name ?? '');
  return {
    status: cluster?.status?.endpoints ?? [],
    dnsEndpoint: endpoint ? { resourceVersion: endpoint.metadata?.resourceVersion, spec: endpoint.spec } : undefined,
    etags: await Promise.all(urls.map((url) => etagOf(url, headers))),
  };
}

/** When the hub last wrote the DNSEndpoint (the server's time, to the second). */
export function lastHubWrite(endpoint: DNSEndpoint | undefined): number | undefined {
  const times = ((endpoint?.metadata?.managedFields ?? []) as { manager?: string; time?: string }[])
    .filter((entry) => entry.manager === 'promfleet-hub')
    .map((entry) => Date.parse(entry.time ?? ''));
  return times.length === 0 ? undefined : Math.max(...times);
}
