import { softwareVersion, type PrometheusReplica } from '@promfleet/api';

const MAX_VERSIONS = 3;

/**
 * The replica operator version(s) the PrometheusReplicas in a member's namespace report, as the
 * MemberCluster shows them: `0.1.0`, or `0.1.0, 0.2.0` while an upgrade rolls (the operator
 * rewrites every replica's status when it starts, so this settles within moments). A member's
 * report is untrusted: only well-formed versions count, at most three. Undefined when no replica
 * reports one (none yet, or an operator older than this field).
 */
export function reportedOperatorVersion(replicas: readonly PrometheusReplica[]): string | undefined {
  const versions = new Set<string>();
  for (const replica of replicas) {
    const parsed = softwareVersion.safeParse((replica.status as { operatorVersion?: unknown } | undefined)?.operatorVersion);
    if (parsed.success) versions.add(parsed.data);
  }
  const sorted = [...versions].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (sorted.length === 0) return undefined;
  return sorted.length > MAX_VERSIONS ? `${sorted.slice(0, MAX_VERSIONS).join(', ')}, …` : sorted.join(', ');
}
