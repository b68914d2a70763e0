import { afterEach, describe, expect, it, vi } from 'vitest';

import type { FlagSpec } from '../flags/flags.ts';
import { runProgram } from './program.ts';

const flags = {
  listen: { type: 'string', description: 'Address.', default: ':8080' },
  'log-level': { type: 'string', description: 'Level.', default: 'silent' },
} as const satisfies Record<string, FlagSpec>;

const argv = process.argv;

afterEach(() => {
  process.argv = argv;
  vi.restoreAllMocks();
});

async function run(args: string[], commands?: string[]) {
  process.argv = ['node', 'program', ...args];
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const seen: { command: string | undefined; listen: string }[] = [];
  const code = await runProgram({
    name: 'promfleet-test',
    flags,
    usage: 'usage text',
    ...(commands ? { commands } : {}),
    run: ({ flags: parsed, command }) => {
      seen.push({ command, listen: parsed.listen });
      return Promise.resolve(7);
    },
  });
  const printed = { errors: errors.mock.calls.map((c) => String(c[0])), logs: logs.mock.calls.map((c) => String(c[0])) };
  vi.restoreAllMocks();
  return { code, seen, ...printed };
}

describe('runProgram', () => {
  it('runs with the parsed flags and returns its exit code', async () => {
    expect(await run(['--listen=:9090'])).toMatchObject({ code: 7, seen: [{ command: undefined, listen: ':9090' }] });
  });

  it('prints usage and every flag for --help, without running', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.seen).toEqual([]);
    expect(result.logs[0]).toContain('usage text');
    expect(result.logs[0]).toContain('--listen HOST:PORT'.replace('HOST:PORT', 'STRING'));
  });

  it('fails with exit code 2 and one line for bad flags, arguments and log levels', async () => {
    expect(await run(['--nope'])).toMatchObject({ code: 2, errors: ['promfleet-test: unknown flag --nope (see --help)'] });
    expect(await run(['extra'])).toMatchObject({ code: 2, errors: ['promfleet-test: unexpected argument "extra" (see --help)'] });
    expect((await run(['--log-level=loud'])).code).toBe(2);
  });

  it('recognises its subcommands', async () => {
    expect((await run(['api'], ['api'])).seen).toEqual([{ command: 'api', listen: ':8080' }]);
    expect((await run(['api', 'more'], ['api'])).code).toBe(2);
  });
});
