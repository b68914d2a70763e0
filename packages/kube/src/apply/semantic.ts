/**
 * Whether every field set in `desired` has the same value in `live`. Fields the API server or
 * other managers added to `live` do not count: they are not ours to compare.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  // One object is equal to itself: a status composed anew keeps its unchanged parts' objects, so
  // comparing it with the one it replaces costs what changed, not what it holds.
  if (desired === undefined || desired === live) return true;
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
 * A stable JSON text (sorted keys), for hashing desired objects and digesting what the hub
 * publishes. JSON.stringify does the writing (the native serializer is several times faster than
 * building the text in script) over a copy with its keys sorted, made only of the objects whose
 * keys are out of order: what comes from the API server (and the records the hub builds) already
 * has them in order, so a thousand members' records are serialized without copying them.
 * (Integer-like keys come first, in numeric order, as JavaScript enumerates them: still one text
 * for one value. Values with a toJSON of their own are left to it: they are not API data.)
 */
export function canonicalJSON(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(withSortedKeys(value));
}

function withSortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const sorted = withSortedKeys(item);
      if (copy === undefined && sorted !== item) copy = value.slice(0, i);
      copy?.push(sorted);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  if (!keys.every((key, i) => i === 0 || (keys[i - 1] ?? '') <= key)) {
    keys.sort();
    copy = {};
  }
  for (const [i, key] of keys.entries()) {
    const item = record[key];
    const sorted = withSortedKeys(item);
    if (copy === undefined && sorted !== item) {
      copy = {};
      for (const earlier of keys.slice(0, i)) copy[earlier] = record[earlier];
    }
    if (copy !== undefined) copy[key] = sorted;
  }
  return copy ?? value;
}
