import { describe, expect, it } from 'vitest';

import { expandShorthands } from './command.ts';
import { UsageError } from './exit-codes.ts';

describe('expandShorthands', () => {
  const shorthands = { o: 'output', f: 'filename' };

  it('turns -o json, -o=json and -ojson into --output forms', () => {
    expect(expandShorthands(['-o', 'json', '-o=yaml', '-otable', '-f', 'x'], shorthands)).toEqual(['--output', 'json', '--output=yaml', '--output=table', '--filename', 'x']);
  });

  it('leaves long flags, -h, positionals and everything after -- alone', () => {
    expect(expandShorthands(['--output=json', '-h', 'name', '--', '-o'], shorthands)).toEqual(['--output=json', '-h', 'name', '--', '-o']);
  });

  it('rejects an unknown single-letter flag', () => {
    expect(() => expandShorthands(['-n', 'monitoring'], shorthands)).toThrow(new UsageError('unknown flag -n (see --help)'));
  });
});
