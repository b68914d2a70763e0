/**
 * Member placeholders in fields a PrometheusCluster passes to every member, so one template gives
 * each member its own value: `{{ member.name }}` and `{{ member.labels.<key> }}` (the MemberCluster's
 * name and labels). The hub renders them when it builds a member's PrometheusReplica; a replica
 * created by hand renders `member.name` from its clusterName.
 *
 * Issue 19 (overrides) brings the same syntax; this file is the minimal shared part, to be
 * reconciled with it when both have landed.
 */

// `{{ member.name }}` or `{{ member.labels.<label key> }}`, with optional spaces inside the braces.
const PLACEHOLDER = /\{\{\s*member\.(?:(name)|labels\.([A-Za-z0-9][-A-Za-z0-9_./]*))\s*\}\}/g;

export interface PlaceholderMember {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

export type RenderResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

export function hasMemberPlaceholders(text: string): boolean {
  return text.includes('{{');
}

/**
 * `text` with each placeholder replaced by the member's value. A label the member does not have,
 * or braces that are no placeholder, are errors (never an empty or literal value in a host name).
 */
export function renderMemberPlaceholders(text: string, member: PlaceholderMember): RenderResult {
  const missing: string[] = [];
  const value = text.replace(PLACEHOLDER, (_match, name: string | undefined, label: string | undefined) => {
    if (name !== undefined) return member.name;
    const found = member.labels?.[label ?? ''];
    if (found === undefined || found === '') missing.push(label ?? '');
    return found ?? '';
  });
  if (missing.length > 0)
    return {
      ok: false,
      message: `member ${JSON.stringify(member.name)} has no label ${missing.map((key) => JSON.stringify(key)).join(', ')} (used as {{ member.labels.<key> }})`,
    };
  if (value.includes('{{') || value.includes('}}')) {
    return { ok: false, message: 'has braces that are not a member placeholder ({{ member.name }} or {{ member.labels.<key> }})' };
  }
  return { ok: true, value };
}

/** What a template renders to with a stand-in member, for checking the rest of the text (every label present, `a`). */
export function renderWithStandIn(text: string): RenderResult {
  const labels = new Proxy({}, { get: () => 'a' }) as Record<string, string>;
  return renderMemberPlaceholders(text, { name: 'member', labels });
}
