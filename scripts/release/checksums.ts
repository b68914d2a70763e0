import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const CHECKSUMS_FILE = 'SHA256SUMS';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** `sha256sum` format, sorted by path: `sha256sum -c SHA256SUMS` in the folder checks every artifact. */
export function formatChecksums(sums: ReadonlyMap<string, string>): string {
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, hex]) => `${hex}  ${path}\n`)
    .join('');
}

/** Writes SHA256SUMS over every file under `dir` but itself; returns path → hex. */
export async function writeChecksums(dir: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const file of await filesUnder(dir)) {
    const path = relative(dir, file).split(sep).join('/');
    if (path !== CHECKSUMS_FILE) sums.set(path, await sha256File(file));
  }
  await writeFile(join(dir, CHECKSUMS_FILE), formatChecksums(sums));
  return sums;
}
