import { RELABEL, RELABEL_ACTIONS } from './keys.ts';
import { re2Problem } from './re2.ts';
import { isRecord, list, scalarString, unknownKeys } from './shape.ts';

const DEFAULTS = { separator: ';', regex: '(.*)', replacement: '$1', modulus: 0 };
const NEEDS_TARGET = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
const NO_REPLACEMENT = ['lowercase', 'uppercase', 'keepequal', 'dropequal'];

/** The problems Prometheus v3.5's relabel.Config unmarshalling and Validate() would report, by path. */
export function relabelProblems(value: unknown, path: string): string[] {
  const problems: string[] = [];
  for (const [i, rule] of list(value, path, problems).entries()) {
    const at = `${path}[${String(i)}]`;
    if (!isRecord(rule)) {
      problems.push(`${at}: must be a mapping (an empty rule is refused)`);
      continue;
    }
    problems.push(...unknownKeys(rule, RELABEL, at), ...ruleProblems(rule, at));
  }
  return problems;
}

function ruleProblems(rule: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  const text = (key: keyof typeof DEFAULTS | 'target_label' | 'action'): string | undefined => {
    const value = rule[key];
    if (value === undefined || value === null) return undefined;
    const scalar = scalarString(value);
    if (scalar === undefined) problems.push(`${at}.${key}: must be a string`);
    return scalar;
  };
  const action = (text('action') ?? 'replace').toLowerCase();
  if (!RELABEL_ACTIONS.includes(action))
    problems.push(`${at}.action: unknown relabel action ${JSON.stringify(rule.action)} (one of ${RELABEL_ACTIONS.join(', ')})`);
  const regex = text('regex');
  if (regex !== undefined) {
    const problem = re2Problem(regex);
    if (problem) problems.push(`${at}.regex: ${JSON.stringify(regex)} is not an RE2 regular expression: ${problem}`);
  }
  const sources = rule.source_labels;
  if (sources !== undefined && sources !== null && (!Array.isArray(sources) || sources.some((label) => typeof label !== 'string')))
    problems.push(`${at}.source_labels: must be a list of label names`);
  const modulus = rule.modulus ?? 0;
  if (!Number.isInteger(modulus) || (modulus as number) < 0) problems.push(`${at}.modulus: must be a whole number`);
  const target = text('target_label') ?? '';
  const separator = text('separator') ?? DEFAULTS.separator;
  const replacement = text('replacement') ?? DEFAULTS.replacement;
  if (action === 'hashmod' && modulus === 0) problems.push(`${at}: hashmod requires a non-zero modulus`);
  if (NEEDS_TARGET.includes(action) && target === '') problems.push(`${at}: ${action} requires target_label`);
  if (NO_REPLACEMENT.includes(action) && replacement !== DEFAULTS.replacement) problems.push(`${at}: replacement cannot be set for ${action}`);
  if (action === 'labelmap' && replacement === '') problems.push(`${at}: labelmap requires a non-empty replacement`);
  const others = {
    regex: (regex ?? DEFAULTS.regex) !== DEFAULTS.regex,
    modulus: modulus !== 0,
    separator: separator !== DEFAULTS.separator,
    replacement: replacement !== DEFAULTS.replacement,
  };
  if ((action === 'keepequal' || action === 'dropequal') && Object.values(others).some(Boolean))
    problems.push(`${at}: ${action} takes only source_labels and target_label`);
  if (
    (action === 'labeldrop' || action === 'labelkeep') &&
    (sources !== undefined || target !== '' || others.modulus || others.separator || others.replacement)
  )
    problems.push(`${at}: ${action} takes only regex`);
  return problems;
}
