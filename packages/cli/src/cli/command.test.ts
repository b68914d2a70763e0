import { describe, expect, it } from 'vitest';

import { expandAliases, expandShorthands } from './command.ts';
import { UsageError } from './exit-codes.ts';

describe('expandShorthands', () => {
  const shorthands = { o: 'output', f: 'filename' };

  it('turns -o json, -o=json and -ojson into --output forms', () => {
    expect(expandShorthands(['-o', 'json', '-o=yaml', '-otable', '-f', 'x'], shorthands)).toEqual([
      '--output',
      'json',
      '--output=yaml',
      '--output=table',
      '--filename',
      'x',
    ]);
  });

  it('leaves long flags, -h, positionals and everything after -- alone', () => {
    expect(expandShorthands(['--output=json', '-h', 'name', '--', '-o'], shorthands)).toEqual(['--output=json', '-h', 'name', '--', '-o']);
  });

  it('rejects an unknown single-letter flag', () => {
    expect(() => expandShorthands(['-n', 'monitoring'], shorthands)).toThrow(new UsageError('unknown flag -n (see --help)'));
  });
});

describe('expandAliases', () => {
  const aliases = { kubeconfig: 'hub-kubeconfig', context: 'hub-context' };

  it('turns --kubeconfig x and --context=y into the flags they alias', () => {
    expect(expandAliases('members', ['--kubeconfig', 'x', '--context=y', '--output=json'], aliases)).toEqual([
      '--hub-kubeconfig',
      'x',
      '--hub-context=y',
      '--output=json',
    ]);
  });

  it('leaves flags that merely start alike, positionals and everything after -- alone', () => {
    expect(expandAliases('members', ['--kubeconfig-dir=a', 'kubeconfig', '--', '--context'], aliases)).toEqual([
      '--kubeconfig-dir=a',
      'kubeconfig',
      '--',
      '--context',
    ]);
  });

  it('refuses a refused flag with its message, named after the command', () => {
    expect(() => expandAliases('join', ['eu', '--context=x'], {}, { context: 'is ambiguous' })).toThrow(new UsageError('join: --context is ambiguous'));
    expect(expandAliases('join', ['--', '--context=x'], {}, { context: 'is ambiguous' })).toEqual(['--', '--context=x']);
  });
});
