import { RE2JS } from 're2js';

/**
 * Why Prometheus would refuse this regular expression, or undefined when it compiles. Prometheus
 * compiles relabel regexes with Go's RE2 (anchored as `^(?s:…)$`), which has no lookaround, no
 * backreferences and no possessive quantifiers; re2js is a port of the same parser, so the verdict
 * and the message match Go's.
 */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(`^(?s:${pattern})$`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
