/**
 * Member placeholders: `{{ member.name }}` and `{{ member.labels.<key> }}` in a string value stand
 * for the member's name and the value of one of its labels. Distinct from the reloader's `$(VAR)`
 * (which the operator expands inside a member from its environment): these are resolved by the
 * hub, per member, before anything reaches the member. Only `{{ member.` opens a placeholder, so
 * other `{{ ... }}` text (a Go template in an annotation) passes through untouched.
 */

export interface MemberIdentity {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly path: readonly PropertyKey[]; readonly message: string };

const PLACEHOLDER = /\{\{\s*(member\.[^{}]*?)\s*\}\}/g;
const LABEL = 'member.labels.';

/** A string with every member placeholder replaced, or why one cannot be. */
export function resolveMemberPlaceholders(text: string, member: MemberIdentity): Resolved<string> {
  let problem: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole, expression: string) => {
    if (expression === 'member.name') return member.name;
    if (expression.startsWith(LABEL) && expression.length > LABEL.length) {
      const key = expression.slice(LABEL.length);
      const label = Object.hasOwn(member.labels, key) ? member.labels[key] : undefined;
      if (label !== undefined) return label;
      problem ??= `${whole}: member ${member.name} has no label ${JSON.stringify(key)}`;
      return whole;
    }
    problem ??= `${whole} is not a placeholder ({{ member.name }} or {{ member.labels.<key> }})`;
    return whole;
  });
  return problem === undefined ? { ok: true, value } : { ok: false, path: [], message: problem };
}

/** Every string value in `value` (not map keys) with member placeholders resolved; the first problem with its path otherwise. */
export function resolveMemberPlaceholdersDeep<T>(value: T, member: MemberIdentity): Resolved<T> {
  const walk = (node: unknown, path: PropertyKey[]): Resolved<unknown> => {
    if (typeof node === 'string') {
      const resolved = resolveMemberPlaceholders(node, member);
      return resolved.ok ? resolved : { ...resolved, path };
    }
    if (Array.isArray(node)) {
      const items: unknown[] = [];
      for (const [index, item] of node.entries()) {
        const resolved = walk(item, [...path, index]);
        if (!resolved.ok) return resolved;
        items.push(resolved.value);
      }
      return { ok: true, value: items };
    }
    if (node !== null && typeof node === 'object') {
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(node)) {
        const resolved = walk(item, [...path, key]);
        if (!resolved.ok) return resolved;
        entries.push([key, resolved.value]);
      }
      return { ok: true, value: Object.fromEntries(entries) };
    }
    return { ok: true, value: node };
  };
  return walk(value, []) as Resolved<T>;
}

// Answers every label key with `a`: a member that has every label.
const EVERY_LABEL: Readonly<Record<string, string>> = new Proxy(
  {},
  { get: () => 'a', getOwnPropertyDescriptor: () => ({ value: 'a', enumerable: true, configurable: true, writable: false }) },
);

/**
 * What a template renders to for a stand-in member with every label (each `a`), so the rest of
 * the text can be checked before any member is known (a host name must still be a DNS name).
 */
export function resolveWithStandIn(text: string): Resolved<string> {
  return resolveMemberPlaceholders(text, { name: 'member', labels: EVERY_LABEL });
}
