import type { MemberView } from '../src/fanout/member-entry.ts';

/** What the cluster reconciler sees of member eu-west: reachable, synced, no replica yet, unless overridden. */
export const memberView = (overrides: Partial<MemberView>): MemberView => ({
  name: 'eu-west',
  reachability: { state: 'ready' },
  cacheSynced: true,
  replica: undefined,
  conflict: false,
  applyError: undefined,
  ...overrides,
});
