import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from '../config.ts';

const run = promisify(execFile);

/**
 * What Node.js's official linux-x64 binary links against, and nothing else: glibc (with its
 * loader), libgcc_s and libstdc++ — the content of a "distroless/cc" base.
 */
export const RUNTIME_PACKAGES = ['libc6', 'libgcc-s1', 'libstdc++6'] as const;

export interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly file: string;
}

async function candidate(name: string): Promise<Omit<DebianPackage, 'file'> & { filename: string }> {
  let stdout: string;
  try {
    ({ stdout } = await run('apt-cache', ['show', '--no-all-versions', `${name}:amd64`]));
  } catch (error) {
    throw new Error(
      `release: apt knows no package ${name}:amd64; the images take their C libraries from Debian packages — run \`apt-get update\` (on Debian or Ubuntu)`,
      { cause: error },
    );
  }
  const field = (key: string): string => {
    const value = new RegExp(`^${key}: (.+)$`, 'm').exec(stdout)?.[1];
    if (!value) throw new Error(`release: apt-cache show ${name} has no ${key}`);
    return value;
  };
  return { name, version: field('Version'), sha256: field('SHA256'), filename: basename(field('Filename')) };
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/**
 * The current version of each package in the machine's apt sources, downloaded with `apt-get
 * download` (which checks it against the signed index) into `.cache/release/debs/` once, and
 * checked against the index's sha256 whenever it is reused.
 */
export async function downloadPackages(names: readonly string[]): Promise<DebianPackage[]> {
  const dir = join(ROOT, '.cache', 'release', 'debs');
  await mkdir(dir, { recursive: true });
  const packages: DebianPackage[] = [];
  for (const name of names) {
    const { filename, ...wanted } = await candidate(name);
    const file = join(dir, filename);
    if (!existsSync(file) || (await sha256(file)) !== wanted.sha256) {
      const scratch = join(dir, `.download-${process.pid}`);
      await mkdir(scratch, { recursive: true });
      try {
        await run('apt-get', ['download', '-qq', '-o', 'APT::Sandbox::User=root', `${name}:amd64=${wanted.version}`], { cwd: scratch });
        await rename(join(scratch, filename), file);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    if ((await sha256(file)) !== wanted.sha256) throw new Error(`release: ${filename} does not match apt's index`);
    packages.push({ ...wanted, file });
  }
  return packages;
}

/** Unpacks a .deb's files (no maintainer scripts run: these packages need none to be usable). */
export async function unpackPackage(pkg: DebianPackage, root: string): Promise<void> {
  await run('dpkg-deb', ['--extract', pkg.file, root]);
}
