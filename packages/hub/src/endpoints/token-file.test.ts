import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { createLogger } from '@promfleet/kube/observability';
import { afterEach, describe, expect, it } from 'vitest';

import { TokenFileError, tokenFromFile } from './token-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tokenFile(content: string): { path: string; write(text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'promfleet-token-'));
  dirs.push(dir);
  const path = join(dir, 'token');
  let tick = 1_700_000_000;
  const write = (text: string): void => {
    writeFileSync(path, text);
    // A later mtime, whatever the file system's clock resolution.
    utimesSync(path, ++tick, ++tick);
  };
  write(content);
  return { path, write };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().trim().split('\n')) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ name: 'test', destination }), lines };
}

describe('tokenFromFile', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t\n'],
  ])('refuses an %s file at startup, naming it', (_what, content) => {
    const { path } = tokenFile(content);
    expect(() => tokenFromFile(path, capture().logger)).toThrow(TokenFileError);
    expect(() => tokenFromFile(path, capture().logger)).toThrow(`the API token file ${path} is empty`);
  });

  it('refuses a missing file at startup, naming it', () => {
    const path = join(tmpdir(), 'promfleet-no-such-token-file');
    expect(() => tokenFromFile(path, capture().logger)).toThrow(`cannot read the API token file ${path}`);
  });

  it('reads the token trimmed, and a rotated one when the file changes', () => {
    const file = tokenFile('first\n');
    const token = tokenFromFile(file.path, capture().logger);
    expect(token()).toBe('first');
    file.write('second\n');
    expect(token()).toBe('second');
  });

  it('keeps the last token and logs an error, once, when the file becomes empty or goes away', () => {
    const file = tokenFile('kept-token\n');
    const { logger, lines } = capture();
    const token = tokenFromFile(file.path, logger);
    file.write('');
    expect(token()).toBe('kept-token');
    expect(token()).toBe('kept-token');
    expect(lines.filter((line) => line.level === 'error')).toEqual([
      expect.objectContaining({ file: file.path, msg: 'the API token file became empty; still requiring the previous token' }),
    ]);
    rmSync(file.path);
    expect(token()).toBe('kept-token');
    expect(token()).toBe('kept-token');
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(2);
    file.write('third');
    expect(token()).toBe('third');
    expect(JSON.stringify(lines)).not.toContain('kept-token');
  });
});
