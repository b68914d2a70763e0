import { defineCommand, expectArguments } from '../cli/command.ts';
import { clientFor, loadSource, withClients, type ClusterSource } from '../cli/clients.ts';
import { UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { apiEndpointSets, hubEndpointSets } from '../endpoints/sources.ts';
import { checkZoneSafe, flattenRecords, renderZone, type EndpointSet } from '../endpoints/zone.ts';
import { HUB_FLAGS, KUBECTL_HUB_ALIASES, REQUEST_TIMEOUT_FLAG } from './shared-flags.ts';

export const ENDPOINT_FORMATS = ['zone', 'json'] as const;
export type EndpointFormat = (typeof ENDPOINT_FORMATS)[number];

export interface EndpointsInvocation {
  readonly format: EndpointFormat;
  /** Read the hub's PrometheusCluster statuses, or its endpoints HTTP API. */
  readonly source: { readonly hub: ClusterSource } | { readonly api: string; readonly tokenFile: string | undefined; readonly caFile: string | undefined };
  readonly requestTimeoutMs: number;
}

/** Either format refuses records that are not DNS names and addresses (they came from members). */
export function renderEndpoints(sets: readonly EndpointSet[], format: EndpointFormat): string {
  if (format === 'zone') return renderZone(sets);
  for (const set of sets) checkZoneSafe(set);
  return `${JSON.stringify(flattenRecords(sets), null, 2)}\n`;
}

export const endpointsCommand = defineCommand({
  name: 'endpoints',
  usage: 'endpoints [--format zone|json] [--api URL [--api-token-file FILE] [--api-ca-file FILE] [--insecure]] [flags]',
  description: `Prints the DNS records the hub built from ready, non-stale members: by default from the
PrometheusCluster statuses in the hub (Kubernetes credentials needed), with --api from the hub's
endpoints HTTP API (GET URL/api/v1/endpoints; no Kubernetes credentials needed). The token of
--api-token-file is sent over https://, or over http:// to this machine; to another host over
plain http:// only with --insecure.

--format zone prints BIND zone lines, one per target, names absolute, sorted; record sets of one
member (routing policy weighted or multivalue) carry their set identifier and policy in a comment.
--format json prints the records as a JSON array of { namespace, name, dnsName, recordType,
targets, ttl, setIdentifier, routingPolicy, weight }.`,
  examples: [
    'promfleet endpoints',
    'promfleet endpoints --format json | jq -r \'.[] | select(.recordType == "A") | .targets[]\'',
    'promfleet endpoints --api https://promfleet.example.com --api-token-file /run/secrets/endpoints-token',
  ],
  flags: {
    format: { type: 'string', value: 'FORMAT', default: 'zone', description: `Output format: ${ENDPOINT_FORMATS.join(', ')}.` },
    api: { type: 'string', value: 'URL', description: "Base URL of the hub's endpoints API to read instead of the hub cluster." },
    'api-token-file': { type: 'string', value: 'FILE', description: 'File holding the bearer token for --api.' },
    'api-ca-file': {
      type: 'string',
      value: 'FILE',
      description: "PEM CA certificates to trust for an https:// --api (e.g. the issuer of the hub's --tls-cert-file).",
    },
    insecure: {
      type: 'boolean',
      description: 'Send the --api-token-file token over plain http:// to a host other than this machine (readable on the network).',
    },
    ...HUB_FLAGS,
    ...REQUEST_TIMEOUT_FLAG,
  },
  aliases: KUBECTL_HUB_ALIASES,
  parse(flags, positional): EndpointsInvocation {
    expectArguments('endpoints', positional, []);
    const format = flags.format;
    if (!(ENDPOINT_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`endpoints: invalid --format ${JSON.stringify(format)} (${ENDPOINT_FORMATS.join(', ')})`);
    for (const flag of ['api-token-file', 'api-ca-file', 'insecure'] as const) {
      if (flags[flag] && flags.api === undefined) throw new UsageError(`endpoints: --${flag} needs --api`);
    }
    if (flags.api !== undefined && !/^https?:\/\/\S+$/.test(flags.api)) throw new UsageError(`endpoints: --api must be an http:// or https:// URL`);
    if (flags.api !== undefined && flags['api-token-file'] !== undefined && !flags.insecure) refuseCleartextToken(flags.api);
    return {
      format: format as EndpointFormat,
      source:
        flags.api === undefined
          ? { hub: { kubeconfig: flags['hub-kubeconfig'], context: flags['hub-context'] } }
          : { api: flags.api, tokenFile: flags['api-token-file'], caFile: flags['api-ca-file'] },
      requestTimeoutMs: flags['request-timeout'],
    };
  },
  execute: async (invocation: EndpointsInvocation, io: CliIO) => {
    const { source } = invocation;
    let sets: EndpointSet[];
    if ('api' in source) {
      sets = (await apiEndpointSets({ url: source.api, tokenFile: source.tokenFile, caFile: source.caFile, timeoutMs: invocation.requestTimeoutMs })).sets;
    } else {
      const hub = clientFor(loadSource(source.hub, 'hub'), 'hub', invocation.requestTimeoutMs);
      sets = await withClients([hub], () => hubEndpointSets(hub));
    }
    io.out(renderEndpoints(sets, invocation.format));
    return 0;
  },
});

/** A bearer token over plain http:// can be read by anyone on the path, unless the path is this machine. */
function refuseCleartextToken(api: string): void {
  const url = new URL(api);
  if (url.protocol !== 'http:' || isLoopback(url.hostname)) return;
  throw new UsageError(`endpoints: refusing to send the API token over plain http:// to ${url.hostname}: use https://, or --insecure to send it anyway`);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
