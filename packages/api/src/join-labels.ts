import { FIELD_MANAGERS, LABELS } from './constants.ts';

/** The well-known label naming the tool that manages an object. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * The labels `promfleet join` puts on everything it creates — the credential in the member
 * (ServiceAccount, Role, RoleBinding, token binding Secrets) and the credential Secret in the
 * hub — so that join, unjoin and the hub only ever change or delete what join made, for that
 * member.
 */
export function joinLabels(member: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: FIELD_MANAGERS.cli, [LABELS.member]: member };
}

/** The member an object was made for by `promfleet join`, or undefined when join did not make it. */
export function joinedFor(labels: Readonly<Record<string, string>> | undefined): string | undefined {
  if (labels?.[MANAGED_BY_LABEL] !== FIELD_MANAGERS.cli) return undefined;
  return labels[LABELS.member];
}
