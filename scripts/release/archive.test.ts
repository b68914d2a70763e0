import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { normalizeModes, writeTar } from './archive.ts';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'promfleet-archive-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The same tree, made at another time with another umask: what another machine would have. */
async function tree(name: string, variant: { mtime: number; fileMode: number; dirMode: number }): Promise<string> {
  const root = join(scratch, name);
  await mkdir(join(root, 'app', 'lib'), { recursive: true });
  await writeFile(join(root, 'app', 'main.mjs'), 'console.log(1)\n');
  await writeFile(join(root, 'app', 'lib', 'run'), '#!/bin/sh\n');
  await symlink('lib/run', join(root, 'app', 'run'));
  await chmod(join(root, 'app', 'main.mjs'), variant.fileMode);
  await chmod(join(root, 'app', 'lib', 'run'), variant.fileMode | 0o111);
  await chmod(join(root, 'app', 'lib'), variant.dirMode);
  for (const path of ['app/main.mjs', 'app/lib/run', 'app/lib', 'app']) await utimes(join(root, path), variant.mtime, variant.mtime);
  await normalizeModes(root);
  return root;
}

describe('writeTar', () => {
  it('gives the same bytes for the same files whatever their times and the umask, and reports the digests of what it wrote', async () => {
    const a = await tree('a', { mtime: 1_000, fileMode: 0o644, dirMode: 0o755 });
    const b = await tree('b', { mtime: 2_000_000_000, fileMode: 0o664, dirMode: 0o775 });
    const first = await writeTar(a, ['app'], join(scratch, 'a.tar.gz'), { epochSeconds: 1_700_000_000, gzip: true });
    const second = await writeTar(b, ['app'], join(scratch, 'b.tar.gz'), { epochSeconds: 1_700_000_000, gzip: true });
    expect(second).toEqual(first);
    const bytes = await readFile(join(scratch, 'a.tar.gz'));
    const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    expect(first).toEqual({ sha256: sha(bytes), size: bytes.length, tarSha256: sha(gunzipSync(bytes)) });

    const later = await writeTar(a, ['app'], join(scratch, 'c.tar.gz'), { epochSeconds: 1_700_000_001, gzip: true });
    expect(later.sha256).not.toBe(first.sha256);
  });

  it('fails with tar’s message when an entry is missing', async () => {
    await expect(writeTar(scratch, ['no-such-entry'], join(scratch, 'missing.tar'), { epochSeconds: 0, gzip: false })).rejects.toThrow(/no-such-entry/);
  });
});
