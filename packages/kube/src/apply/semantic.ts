/**
 * Whether every field set in `desired` has the same value in `live`. Fields the API server or
 * other managers added to `live` do not count: they are not ours to compare.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  // Built-in types drop zero values of omitempty fields (a Service's publishNotReadyAddresses:
  // false reads back absent): stating one is no difference.
  if (live === undefined && (desired === false || desired === 0 || desired === '')) return true;
  if (desired === null || typeof desired !== 'object') return desired === live || sameNumber(desired, live);
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => isSubset(item, live[i]));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const liveRecord = live as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([key, value]) => isSubset(value, liveRecord[key]));
}

/** Deep equality where an absent field equals an undefined one. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return isSubset(a, b) && isSubset(b, a);
}

// Quantities and int-or-string fields come back as written, but a number may round-trip as "1".
function sameNumber(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'string' && String(a) === b) || (typeof b === 'number' && typeof a === 'string' && String(b) === a);
}

/**
 * A stable JSON text (sorted keys), for hashing desired objects. JSON.stringify does the work, a
 * replacer handing it each object with its keys sorted: a full pass hashes every member's desired
 * replica, and the native serializer is several times faster than building the text in script.
 * (Integer-like keys come first, in numeric order, as JavaScript enumerates them: still one text
 * for one value.)
 */
export function canonicalJSON(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value, sortedKeys);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
