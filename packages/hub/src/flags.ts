import { DEFAULT_ALLOWED_IMAGE_PREFIXES } from '@promfleet/api';
import type { FlagSpec } from '@promfleet/kube/flags';
import { LEASE_TIMING_FLAGS } from '@promfleet/kube/runtime';

import { DEFAULT_NO_OPERATOR_AFTER } from './fanout/no-operator.ts';
import { DEFAULT_REPORT_WAIT } from './fanout/report-wait.ts';

export const HUB_FLAGS = {
  kubeconfig: { type: 'string', description: 'Kubeconfig of the hub cluster; in-cluster service account when absent.', value: 'FILE' },
  namespace: {
    type: 'string',
    description: "The hub's namespace: member credential Secrets and the leader Lease live here.",
    default: 'promfleet-system',
    value: 'NAMESPACE',
  },
  'watch-namespace': { type: 'string', description: 'Only handle PrometheusClusters in this namespace (default: all).', value: 'NAMESPACE' },
  listen: { type: 'string', description: 'Address for the endpoints API, /metrics, /healthz and /readyz.', default: ':8080', value: 'HOST:PORT' },
  'redis-url': { type: 'string', description: 'Redis for the endpoint store (absent: in memory).', value: 'URL' },
  'api-token-file': {
    type: 'string',
    description: 'File holding the bearer token the endpoints API requires (absent: no token; an empty file is an error). Re-read when it changes.',
    value: 'FILE',
  },
  'api-watch-buffer': {
    type: 'bytes',
    description:
      'A watcher of the endpoints API with more unsent bytes than this is cut (it reconnects with Last-Event-ID); keep it above the size of a snapshot.',
    default: '1Mi',
    value: 'SIZE',
  },
  'api-max-watchers': { type: 'integer', description: 'Watchers of the endpoints API served at once; more get 503 with Retry-After.', default: 1000 },
  'tls-cert-file': {
    type: 'string',
    description: 'Serve --listen over HTTPS with this PEM certificate (with --tls-key-file); reloaded when it changes.',
    value: 'FILE',
  },
  'tls-key-file': { type: 'string', description: 'The PEM private key of --tls-cert-file.', value: 'FILE' },
  'leader-elect': { type: 'boolean', description: 'Elect a leader with a Lease; standbys serve reads and do not write.', default: true },
  ...LEASE_TIMING_FLAGS,
  'member-probe-interval': {
    type: 'duration',
    description:
      'Every member gets one cheap probe (a SelfSubjectAccessReview for listing its PrometheusReplicas) this often, each at its own phase of the interval. The first probe that fails after an answer has every member probed at once (a roll call), so a hub cut off from its members sees them all fail before the first turns Offline. A failed probe is retried after 2s, 4s and 8s. Must be below --member-offline-after (at least 5s below keeps that guarantee).',
    default: '35s',
  },
  'member-review-interval': {
    type: 'duration',
    description:
      "How often the full review of each member's credential runs (version, over-privilege, cluster-wide access, rules), beside the probes; also at connect. At least --member-probe-interval.",
    default: '30m',
  },
  'member-offline-after': {
    type: 'duration',
    description: 'A member with no sign of life (no answer of any kind through its credential) for this long is Offline and leaves DNS.',
    default: '40s',
  },
  'member-timeout': { type: 'duration', description: 'Deadline of every request to a member.', default: '10s' },
  'member-no-operator-after': {
    type: 'duration',
    description:
      "A PrometheusReplica no operator has reconciled (no status.observedGeneration) this long after its creation makes the member's entry NoOperator: no replica operator runs there, or its watch namespaces leave the replica's out.",
    default: DEFAULT_NO_OPERATOR_AFTER,
  },
  'deletion-timeout': {
    type: 'duration',
    description: 'How long deletion waits for unreachable members before giving up with a Warning Event.',
    default: '10m',
  },
  'allowed-image-prefixes': {
    type: 'list',
    description:
      'Images a PrometheusCluster may name in spec.images, as prefixes (registry.example.com/team/), comma-separated or repeated; * allows any image. A PrometheusCluster naming another image gets Ready=False ImageNotAllowed and nothing is applied to its members.',
    default: DEFAULT_ALLOWED_IMAGE_PREFIXES,
    value: 'PREFIXES',
  },
  concurrency: { type: 'integer', description: 'Members handled at once for one PrometheusCluster, and workers per controller.', default: 16 },
  'status-batch-window': {
    type: 'duration',
    description:
      "Status writes to one PrometheusCluster start at most once per window: a lone replica status change is written at once, and those arriving within the window of the last write's start are written together at its end (0: write each at once; a write still in flight to an object batches what arrives for it meanwhile).",
    default: '100ms',
  },
  'report-wait': {
    type: 'duration',
    description:
      "How long a full pass's status write waits for the members' operators to report on the replicas it changed: a fan-out's status goes out once, when the last of them has reported or the wait ends, not once per handful of reports (0: write at the end of the pass).",
    default: DEFAULT_REPORT_WAIT,
  },
  'unsharded-members': {
    type: 'integer',
    description:
      "Members up to which a PrometheusCluster's status holds every member entry; past them the entries and the members' own DNS records move to PrometheusClusterShards (one DNSEndpoint per shard), so a member's change writes its shard, not the whole fleet.",
    default: 100,
  },
  'members-per-shard': {
    type: 'integer',
    description:
      "Members a PrometheusClusterShard holds at most (on average; the shards are a power of two): the API server spends on a write what the object weighs, so small shards keep a busy fleet's writes cheap (0: never shard).",
    default: 12,
  },
  'log-level': { type: 'string', description: 'fatal, error, warn, info, debug, trace or silent.', default: 'info', value: 'LEVEL' },
} as const satisfies Record<string, FlagSpec>;

/** Why the member timing flags do not fit together, naming the flag; undefined when they do. */
export function memberTimingError(flags: {
  'member-probe-interval': number;
  'member-review-interval': number;
  'member-offline-after': number;
}): string | undefined {
  const probe = flags['member-probe-interval'];
  if (!(probe > 0)) return '--member-probe-interval must be above 0';
  if (probe >= flags['member-offline-after']) {
    return `--member-probe-interval (${String(probe / 1000)}s) must be below --member-offline-after (${String(flags['member-offline-after'] / 1000)}s): a healthy but quiet member would go Offline between two probes`;
  }
  if (flags['member-review-interval'] < probe) {
    return `--member-review-interval (${String(flags['member-review-interval'] / 1000)}s) must be at least --member-probe-interval (${String(probe / 1000)}s)`;
  }
  return undefined;
}

/** Why the sharding flags cannot be used, naming the flag; undefined when they can. */
export function shardingError(flags: { 'unsharded-members': number; 'members-per-shard': number }): string | undefined {
  for (const name of ['unsharded-members', 'members-per-shard'] as const) {
    if (flags[name] < 0) return `--${name} must be 0 or more, not ${String(flags[name])}`;
  }
  return undefined;
}

export const HUB_USAGE = `promfleet-hub — runs PrometheusClusters across member clusters: selects members by label,
creates one PrometheusReplica in each through a narrowly scoped credential, aggregates their
status and publishes round-robin DNS records.

Usage:
  promfleet-hub [flags]            the controller (and the endpoints API)
  promfleet-hub api --redis-url …  only the endpoints API, from Redis, without Kubernetes credentials
                                   (--listen, --api-*, --tls-* and --log-level apply to it too); not
                                   ready, and 503, until it has loaded what the hub published

Examples:
  promfleet-hub --leader-elect --redis-url redis://redis.promfleet-system:6379
  promfleet-hub --kubeconfig ~/.kube/hub --leader-elect=false --member-probe-interval 5s

Flags (each also settable as an environment variable):`;
