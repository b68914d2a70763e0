import { CREDENTIAL_LIFECYCLE, DEFAULTS, dnsLabelName, labelMap, memberName } from '@promfleet/api';

/** One year: what `--token-ttl` defaults to. */
export const DEFAULT_TOKEN_TTL_SECONDS = CREDENTIAL_LIFECYCLE.tokenTTLDays * 24 * 3600;
/** The TokenRequest API's minimum lifetime. */
export const MIN_TOKEN_TTL_SECONDS = 600;

const namespaceName = dnsLabelName(63);

export interface JoinInputs {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly hubNamespace?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly tokenTTLSeconds?: number | undefined;
}

/**
 * Everything wrong with join's inputs, checked with the same schemas the MemberCluster CRD
 * uses, before any request: `member name: "EU" must contain only lowercase letters, digits and -`.
 */
export function joinInputProblems(inputs: JoinInputs): string[] {
  const problems: string[] = [];
  // Label issues name their key in the message, so no issue needs its path.
  const check = (what: string, result: { error?: { issues: readonly { message: string }[] } | undefined }) => {
    for (const issue of result.error?.issues ?? []) problems.push(`${what}: ${issue.message}`);
  };
  check('member name', memberName.safeParse(inputs.name));
  if (inputs.namespace !== undefined) check('namespace', namespaceName.safeParse(inputs.namespace));
  if (inputs.hubNamespace !== undefined) check('hub namespace', namespaceName.safeParse(inputs.hubNamespace));
  if (inputs.labels !== undefined) check('labels', labelMap.safeParse(inputs.labels));
  if (inputs.tokenTTLSeconds !== undefined && !(inputs.tokenTTLSeconds >= MIN_TOKEN_TTL_SECONDS)) {
    problems.push(`token TTL: must be at least 10m (the TokenRequest minimum), got ${String(inputs.tokenTTLSeconds)}s`);
  }
  return problems;
}

export function memberNamespaceOf(namespace: string | undefined): string {
  return namespace ?? DEFAULTS.memberNamespace;
}

export function hubNamespaceOf(hubNamespace: string | undefined): string {
  return hubNamespace ?? DEFAULTS.hubNamespace;
}
