import { describe, expect, it } from 'vitest';

import { labelKeyProblem, labelValueProblem, parsePrometheusDuration } from './formats.ts';

describe('parsePrometheusDuration', () => {
  it.each([
    ['0', 0],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['15d', 15 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['500ms', 500],
    ['1d2h3m4s5ms', 86_400_000 + 7_200_000 + 180_000 + 4000 + 5],
  ])('%s is %d ms', (text, ms) => {
    expect(parsePrometheusDuration(text)).toBe(ms);
  });

  it.each(['', '24x', '2 h', '30m1h', '1.5h', 'h', '-1h', '1hh'])('%j is not a duration', (text) => {
    expect(parsePrometheusDuration(text)).toBeUndefined();
  });
});

describe('label syntax', () => {
  it('accepts prefixed and plain keys and empty values', () => {
    expect(labelKeyProblem('promfleet.io/member')).toBeUndefined();
    expect(labelKeyProblem('region')).toBeUndefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('eu-west-1')).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(labelKeyProblem('Bad_Prefix/x')).toContain('invalid prefix');
    expect(labelKeyProblem('a/')).toContain('is invalid');
    expect(labelKeyProblem('x'.repeat(64))).toContain('is invalid');
    expect(labelValueProblem('-x')).toContain('label value "-x"');
  });
});
