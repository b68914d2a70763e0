import { formatFieldError, memberTemplate, type MemberCluster, type MemberTemplate } from '@promfleet/api';

import type { RevisionData } from './revisions.ts';

export type RevisionLookup = (name: string) => { readonly ok: true; readonly data: RevisionData } | { readonly ok: false; readonly message: string };

/** A member's template from a revision: its template and overrides merged for this member. */
export function templateFor(data: RevisionData, member: MemberCluster): MemberTemplate {
  return memberTemplate({ ...data.template, overrides: data.overrides }, { name: member.metadata.name, labels: member.metadata.labels ?? {} });
}

/** Why a member cannot run a template: `merged spec invalid: <field>: <message>`. */
export function templateProblem(template: MemberTemplate): string | undefined {
  return template.ok ? undefined : `merged spec invalid: ${formatFieldError(template.error)}`;
}

/**
 * What a member runs: its pinned revision merged for it. A pin whose revision is gone (deleted by
 * hand) falls back to the newest, which the caller always knows, and may have merged for this
 * member already (`targetTemplate`).
 */
export function pinnedTemplate(
  lookup: RevisionLookup,
  pinned: string,
  target: string,
  member: MemberCluster,
  targetTemplate?: MemberTemplate,
): { revision: string } & ({ template: MemberTemplate } | { problem: string }) {
  const found = lookup(pinned);
  const revision = found.ok ? pinned : target;
  if (revision === target && targetTemplate) return { revision, template: targetTemplate };
  const data = found.ok ? found : lookup(target);
  return data.ok ? { revision, template: templateFor(data.data, member) } : { revision, problem: data.message };
}
