import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { apiEndpointSets, hubEndpointSets } from '../endpoints/sources.ts';
import { flattenRecords, renderZone, type EndpointSet } from '../endpoints/zone.ts';
import { HUB_FLAGS, KUBECTL_HUB_ALIASES, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export const ENDPOINT_FORMATS = ['zone', 'json'] as const;
export type EndpointFormat = (typeof ENDPOINT_FORMATS)[number];

export interface EndpointsInvocation {
  readonly format: EndpointFormat;
  /** Read the hub's PrometheusCluster statuses, or its endpoints HTTP API. */
  readonly source: { readonly hub: ClusterSource } | { readonly api: string; readonly tokenFile: string | undefined };
  readonly requestTimeoutMs: number;
}

export function renderEndpoints(sets: readonly EndpointSet[], format: EndpointFormat): string {
  return format === 'zone' ? renderZone(sets) : `${JSON.stringify(flattenRecords(sets), null, 2)}\n`;
}

export const endpointsCommand = defineCommand({
  name: 'endpoints',
  summary: 'Print the round-robin DNS records as BIND zone lines or JSON',
  usage: 'endpoints [--format zone|json] [--api URL [--api-token-file FILE]] [flags]',
  description: `Prints the DNS records the hub built from ready, non-stale members: by default from the
PrometheusCluster statuses in the hub (Kubernetes credentials needed), with --api from the hub's
endpoints HTTP API (GET URL/api/v1/endpoints; no Kubernetes credentials needed).

--format zone prints BIND zone lines, one per target, names absolute, sorted; CNAME records
(hostname targets, one per member) carry their set identifier in a comment. --format json prints
the records as a JSON array of { namespace, name, dnsName, recordType, targets, ttl, setIdentifier }.`,
  examples: [
    'promfleet endpoints',
    'promfleet endpoints --format json | jq -r \'.[] | select(.recordType == "A") | .targets[]\'',
    'promfleet endpoints --api https://promfleet.example.com --api-token-file /run/secrets/endpoints-token',
  ],
  flags: {
    format: { type: 'string', value: 'FORMAT', default: 'zone', description: `Output format: ${ENDPOINT_FORMATS.join(', ')}.` },
    api: { type: 'string', value: 'URL', description: "Base URL of the hub's endpoints API to read instead of the hub cluster." },
    'api-token-file': { type: 'string', value: 'FILE', description: 'File holding the bearer token for --api.' },
    ...HUB_FLAGS,
    ...REQUEST_TIMEOUT_FLAG,
  },
  aliases: KUBECTL_HUB_ALIASES,
  parse(flags, positional): EndpointsInvocation {
    expectArguments('endpoints', positional, []);
    const format = flags.format;
    if (!(ENDPOINT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`endpoints: invalid --format ${JSON.stringify(format)} (${ENDPOINT_FORMATS.join(', ')})`);
    if (flags['api-token-file'] !== undefined && flags.api === undefined) throw new UsageError('endpoints: --api-token-file needs --api');
    if (flags.api !== undefined && !/^https?:\/\/\S+$/.test(flags.api)) throw new UsageError(`endpoints: --api must be an http:// or https:// URL`);
    return {
      format: format as EndpointFormat,
      source: flags.api === undefined ? { hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] } } : { api: flags.api, tokenFile: flags['api-token-file'] },
      requestTimeoutMs: flags['request-timeout'],
    };
  },
  execute: async (invocation: EndpointsInvocation, io: CliIO) => {
    const { source } = invocation;
    let sets: EndpointSet[];
    if ('api' in source) {
      sets = (await apiEndpointSets({ url: source.api, tokenFile: source.tokenFile, timeoutMs: invocation.requestTimeoutMs })).sets;
    } else {
      const hub = clientFor(loadSource(source.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
      sets = await withClients([hub], () => hubEndpointSets(hub));
    }
    io.out(renderEndpoints(sets, invocation.format));
    return 0;
  },
});
