import { DNS_TARGET_RULE, dnsName, dnsTarget, formatPath, prometheusReplicaStatus, type MemberEntry, type PrometheusReplica } from '@promfleet/api';

/** Member words the hub repeats (condition messages) are cut to this length. */
export const MAX_MEMBER_MESSAGE = 1024;

/** A member's replica as the hub may use it, and what was wrong with what the member reported. */
export interface MemberReport {
  readonly replica: PrometheusReplica | undefined;
  /** The member's output (hosts, addresses) was invalid: it is left out of DNS, for this reason. */
  readonly unpublishable: string | undefined;
  /** The member's status as a whole was unusable: the entry is an Error, for this reason. */
  readonly unusable: string | undefined;
}

const OUTPUT_RULES: Readonly<Record<string, string>> = {
  addresses: `must each be ${DNS_TARGET_RULE}`,
  queryHost: 'must be a DNS name',
  grafanaHost: 'must be a DNS name',
};

/**
 * Checks what a member reports in its PrometheusReplica's status with the schema the CRDs carry,
 * before any of it reaches the hub's status, its DNS records, Redis or the endpoints API: a
 * member cannot be trusted to run the CRD the hub expects. Invalid output (an address with a
 * newline that would add records to a zone file) leaves the member out of DNS; an unusable
 * status makes its entry an Error. Messages name the field, never the member's value.
 */
export function vetMemberReport(replica: PrometheusReplica | undefined): MemberReport {
  const status = replica?.status as unknown;
  if (!replica || status === undefined) return { replica, unpublishable: undefined, unusable: undefined };
  const parsed = prometheusReplicaStatus.safeParse(status);
  if (parsed.success) return { replica: { ...replica, status: shortened(parsed.data) }, unpublishable: undefined, unusable: undefined };
  const outputIssues = parsed.error.issues.filter((issue) => issue.path[0] === 'output');
  if (outputIssues.length < parsed.error.issues.length) {
    const fields = [...new Set(parsed.error.issues.map((issue) => `status.${formatPath(issue.path.slice(0, 1))}`))];
    return {
      replica: { ...replica, status: {} },
      unpublishable: undefined,
      unusable: `the member reported an invalid PrometheusReplica status (${fields.join(', ')})`,
    };
  }
  // Only the output is wrong: keep the rest, drop the invalid fields (an empty output, not a missing one, so no earlier address stands in).
  const reported = (status as { output?: unknown }).output;
  const fields = [...new Set(outputIssues.map((issue) => (issue.path[1] === undefined ? '' : String(issue.path[1]))))];
  const output =
    typeof reported === 'object' && reported !== null ? Object.fromEntries(Object.entries(reported).filter(([field]) => !fields.includes(field))) : {};
  const reparsed = prometheusReplicaStatus.safeParse({ ...(status as object), output });
  if (!reparsed.success)
    return {
      replica: { ...replica, status: {} },
      unpublishable: undefined,
      unusable: 'the member reported an invalid PrometheusReplica status (status.output)',
    };
  const reasons = fields.map((field) => (field === '' ? 'status.output must be an object' : `status.output.${field} ${OUTPUT_RULES[field] ?? 'is invalid'}`));
  return { replica: { ...replica, status: shortened(reparsed.data) }, unpublishable: `left out of DNS: ${reasons.join('; ')}`, unusable: undefined };
}

/** Condition messages cut short: a member's words must not swell the hub's status. */
function shortened(status: NonNullable<PrometheusReplica['status']>): NonNullable<PrometheusReplica['status']> {
  if (!status.conditions?.some((condition) => condition.message.length > MAX_MEMBER_MESSAGE)) return status;
  return { ...status, conditions: status.conditions.map((condition) => ({ ...condition, message: condition.message.slice(0, MAX_MEMBER_MESSAGE) })) };
}

/** An entry that says why its member is left out of DNS (the report's problem wins over any other message). */
export function withReportProblem(entry: MemberEntry, report: MemberReport): MemberEntry {
  return report.unpublishable ? { ...entry, message: report.unpublishable } : entry;
}

/**
 * An entry recorded in the status before, without hosts or addresses the CRD would now refuse
 * (recorded by a hub that did not check them): a recorded entry may be written back as it is.
 */
export function vetRecordedEntry(entry: MemberEntry): MemberEntry {
  const { queryHost, addresses, ...rest } = entry;
  const hostOK = queryHost === undefined || dnsName.safeParse(queryHost).success;
  const addressesOK = addresses === undefined || addresses.every((address) => dnsTarget.safeParse(address).success);
  if (hostOK && addressesOK) return entry;
  return { ...rest, ...(hostOK && queryHost !== undefined ? { queryHost } : {}), ...(addressesOK && addresses !== undefined ? { addresses } : {}) };
}
