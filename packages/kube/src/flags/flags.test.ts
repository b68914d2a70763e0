import { describe, expect, it } from 'vitest';

import { FlagError, formatFlagHelp, parseBytes, parseDuration, parseFlags, type FlagSpec } from './flags.ts';

const specs = {
  kubeconfig: { type: 'string', description: 'Path to a kubeconfig.', value: 'FILE' },
  listen: { type: 'string', description: 'Address to serve on.', default: ':8080' },
  'leader-elect': { type: 'boolean', description: 'Use leader election.', default: true },
  'member-probe-interval': { type: 'duration', description: 'How often to probe.', default: '10s' },
  concurrency: { type: 'integer', description: 'Parallel members.', default: 16 },
  'watch-buffer': { type: 'bytes', description: 'Unsent bytes per watcher.', default: '1Mi' },
  label: { type: 'list', description: 'k=v, repeatable.' },
} as const satisfies Record<string, FlagSpec>;

describe('parseFlags', () => {
  it('applies defaults', () => {
    const { flags } = parseFlags(specs, [], {});
    expect(flags).toEqual({
      kubeconfig: undefined,
      listen: ':8080',
      'leader-elect': true,
      'member-probe-interval': 10_000,
      concurrency: 16,
      'watch-buffer': 1_048_576,
      label: [],
    });
  });

  it('reads --name=value, --name value, bare and explicit booleans, repeated lists and positionals', () => {
    const { flags, positional } = parseFlags(
      specs,
      ['join', '--kubeconfig', '/k', '--leader-elect=false', '--member-probe-interval=1m30s', '--label', 'a=b', '--label=c=d', 'eu'],
      {},
    );
    expect(flags.kubeconfig).toBe('/k');
    expect(flags['leader-elect']).toBe(false);
    expect(flags['member-probe-interval']).toBe(90_000);
    expect(flags.label).toEqual(['a=b', 'c=d']);
    expect(positional).toEqual(['join', 'eu']);
  });

  it('takes PROMFLEET_ environment variables, with the command line winning', () => {
    const env = { PROMFLEET_LISTEN: ':9000', PROMFLEET_CONCURRENCY: '4', PROMFLEET_LEADER_ELECT: 'false' };
    const { flags } = parseFlags(specs, ['--concurrency=8'], env);
    expect(flags.listen).toBe(':9000');
    expect(flags.concurrency).toBe(8);
    expect(flags['leader-elect']).toBe(false);
  });

  it.each([
    [['--nope'], 'unknown flag --nope'],
    [['--kubeconfig'], 'flag --kubeconfig needs a value'],
    [['--concurrency=many'], 'invalid integer "many" for --concurrency'],
    [['--member-probe-interval=10'], 'invalid duration "10" for --member-probe-interval (e.g. 10s, 2m, 1h)'],
    [['--leader-elect=maybe'], 'invalid boolean "maybe" for --leader-elect'],
    [['--watch-buffer=1MB'], 'invalid size "1MB" for --watch-buffer (bytes, or e.g. 512Ki, 1Mi, 2Gi)'],
  ])('%j fails naming the flag', (argv, message) => {
    expect(() => parseFlags(specs, argv, {})).toThrow(FlagError);
    expect(() => parseFlags(specs, argv, {})).toThrow(message);
  });

  it('names the environment variable when it is malformed', () => {
    expect(() => parseFlags(specs, [], { PROMFLEET_MEMBER_PROBE_INTERVAL: 'soon' })).toThrow('PROMFLEET_MEMBER_PROBE_INTERVAL: invalid duration');
  });

  it('recognises --help', () => {
    expect(parseFlags(specs, ['--help'], {}).help).toBe(true);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['0', 0],
    ['0s', 0],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '00', '-1s', 's', '1d', '10 s'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseBytes', () => {
  it.each([
    ['0', 0],
    ['65536', 65_536],
    ['512Ki', 524_288],
    ['1Mi', 1_048_576],
    ['2Gi', 2_147_483_648],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', '-1', '1MB', '1.5Mi', '1 Mi', 'Mi'])('%j is not a size', (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });
});

describe('formatFlagHelp', () => {
  it('lists every flag with its default and environment variable', () => {
    const help = formatFlagHelp(specs);
    expect(help).toContain('--member-probe-interval DURATION');
    expect(help).toContain('default 10s; env PROMFLEET_MEMBER_PROBE_INTERVAL');
    expect(help).toContain('--leader-elect ');
    expect(help.split('\n')).toHaveLength(Object.keys(specs).length);
  });
});
