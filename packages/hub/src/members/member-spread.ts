import { memberHash } from '@promfleet/api';

/**
 * A member's own point in [0, 1), the same in every hub process: where in a window its periodic
 * work falls, so a fleet's members do not all act in the same instant. FNV-1a of the name, mixed
 * by murmur3's finalizer: FNV's high bits clump for names that differ only in their last
 * characters (member-0001, member-0002, ...).
 */
export function memberSpread(member: string): number {
  let hash = memberHash(member);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return ((hash ^ (hash >>> 16)) >>> 0) / 2 ** 32;
}
