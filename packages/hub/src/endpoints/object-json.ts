import { canonicalJSON } from '@promfleet/kube/apply';

/**
 * The JSON text of each record and StoreAPI endpoint, kept per object. A PrometheusCluster's
 * endpoint set is written out whole on every change (digested, stored, sent to watchers), and
 * all but the changed member's records are the very objects it held before: the informer's
 * copies of the shards that did not change, or the records the hub built for members that did
 * not. So a change costs the text of what changed plus a join, not a thousand records' worth.
 * The objects are never modified once made (cache objects and built records alike); a WeakMap
 * lets them go with the sets that hold them.
 */
const canonicalTexts = new WeakMap<object, string>();
const plainTexts = new WeakMap<object, string>();

function cached(texts: WeakMap<object, string>, encode: (value: object) => string, items: readonly object[]): string {
  const parts = items.map((item) => {
    let text = texts.get(item);
    if (text === undefined) {
      text = encode(item);
      texts.set(item, text);
    }
    return text;
  });
  return `[${parts.join(',')}]`;
}

/** `canonicalJSON(items)`, each item's text kept. */
export function canonicalArray(items: readonly object[]): string {
  return cached(canonicalTexts, canonicalJSON, items);
}

/** `JSON.stringify(items)`, each item's text kept. */
export function jsonArray(items: readonly object[]): string {
  return cached(plainTexts, (item) => JSON.stringify(item), items);
}
