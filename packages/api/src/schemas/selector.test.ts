import { describe, expect, it } from 'vitest';

import { matchesLabelSelector } from './selector.ts';

const labels = { platform: 'cloud', region: 'eu-west-1' };

describe('matchesLabelSelector', () => {
  it('an empty selector matches everything', () => {
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector({}, {})).toBe(true);
  });

  it('matchLabels needs every pair', () => {
    expect(matchesLabelSelector({ matchLabels: { platform: 'cloud' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { platform: 'cloud', region: 'us' } }, labels)).toBe(false);
  });

  it.each([
    [{ key: 'region', operator: 'In', values: ['eu-west-1', 'us'] }, true],
    [{ key: 'region', operator: 'In', values: ['us'] }, false],
    [{ key: 'missing', operator: 'In', values: ['x'] }, false],
    [{ key: 'region', operator: 'NotIn', values: ['us'] }, true],
    [{ key: 'region', operator: 'NotIn', values: ['eu-west-1'] }, false],
    [{ key: 'missing', operator: 'NotIn', values: ['x'] }, true],
    [{ key: 'region', operator: 'Exists' }, true],
    [{ key: 'missing', operator: 'Exists' }, false],
    [{ key: 'missing', operator: 'DoesNotExist' }, true],
    [{ key: 'region', operator: 'DoesNotExist' }, false],
  ] as const)('%j → %s', (requirement, expected) => {
    expect(
      matchesLabelSelector({ matchExpressions: [{ ...requirement, values: 'values' in requirement ? [...requirement.values] : undefined }] }, labels),
    ).toBe(expected);
  });

  it('ANDs matchLabels and every expression', () => {
    expect(
      matchesLabelSelector(
        {
          matchLabels: { platform: 'cloud' },
          matchExpressions: [
            { key: 'region', operator: 'Exists' },
            { key: 'x', operator: 'Exists' },
          ],
        },
        labels,
      ),
    ).toBe(false);
  });
});
