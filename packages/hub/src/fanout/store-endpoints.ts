import type { MemberEntry, StoreEndpoint } from '@promfleet/api';

import { compareCodePoints } from './order.ts';

/**
 * The StoreAPI endpoints a global Thanos Query should read: every address of every ready,
 * non-stale member — the members DNS publishes, so an offline member leaves this list within the
 * same bound as it leaves DNS, and comes back with it. Ordered by member, then address, so the
 * same fleet always gives the same list (and the same file-SD document, written only on change).
 */
export function storeEndpoints(entries: readonly MemberEntry[]): StoreEndpoint[] {
  return entries
    .filter((entry) => entry.ready && !entry.stale)
    .flatMap((entry) => [...new Set(entry.storeAPI ?? [])].map((address) => ({ member: entry.name, address })))
    .sort((a, b) => compareCodePoints(a.member, b.member) || compareCodePoints(a.address, b.address));
}
