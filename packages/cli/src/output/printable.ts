/**
 * Control characters (C0, DEL, C1), and the Unicode controls that reorder or hide text (bidi
 * overrides and isolates, zero-width characters, line and paragraph separators): what a hostile
 * member could put in a message to rewrite a terminal or disguise a table.
 */
const UNPRINTABLE = /[\p{Cc}\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;

/** A string a member reported, made safe to print: every such character removed. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '');
}

export function hasUnprintable(text: string): boolean {
  return new RegExp(UNPRINTABLE.source, 'u').test(text);
}
