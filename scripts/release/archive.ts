import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * GNU tar flags that make an archive a function of the files' names, contents, modes and link
 * targets only: sorted, one timestamp, owner root, no atime/ctime, no process id in pax headers.
 */
export function reproducibleTarFlags(epochSeconds: number): string[] {
  return [
    '--sort=name',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${epochSeconds}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
  ];
}

/** Hashes what streams through it. */
class Digest extends Transform {
  readonly #hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
  hex(): string {
    return this.#hash.digest('hex');
  }
}

export interface Archive {
  /** sha256 of the uncompressed tar (an OCI layer's diff_id), hex. */
  readonly tarSha256: string;
  /** sha256 and size of the file written. */
  readonly sha256: string;
  readonly size: number;
}

/**
 * Writes `entries` (names relative to `dir`, recursed) as a reproducible tar, gzipped unless
 * `gzip` is false. gzip from zlib writes no name and a zero time, so equal input gives equal bytes.
 */
export async function writeTar(dir: string, entries: readonly string[], outFile: string, options: { epochSeconds: number; gzip: boolean }): Promise<Archive> {
  const tar = spawn('tar', [...reproducibleTarFlags(options.epochSeconds), '-C', dir, '-cf', '-', '--', ...[...entries].sort()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', resolve);
  });
  const raw = new Digest();
  const written = new Digest();
  const out = createWriteStream(outFile);
  await (options.gzip ? pipeline(tar.stdout, raw, createGzip({ level: 6 }), written, out) : pipeline(tar.stdout, raw, written, out));
  const code = await exited;
  if (code !== 0) throw new Error(`tar of ${dir} failed (exit ${code}): ${stderr.trim()}`);
  return { tarSha256: raw.hex(), sha256: written.hex(), size: written.size };
}

/**
 * Modes that do not depend on the umask of the machine that built the release: directories
 * 0755, files readable by all and writable by the owner only, executable bits kept.
 * `except` names paths (relative) left as they are, such as /tmp's 1777.
 */
export async function normalizeModes(dir: string, except: readonly string[] = [], prefix = ''): Promise<void> {
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    const relative = prefix === '' ? entry : `${prefix}/${entry}`;
    const stats = await lstat(path);
    if (stats.isSymbolicLink() || except.includes(relative)) continue;
    if (stats.isDirectory()) {
      await chmod(path, 0o755);
      await normalizeModes(path, except, relative);
    } else {
      await chmod(path, (stats.mode & 0o755) | 0o644);
    }
  }
}
