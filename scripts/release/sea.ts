import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Fixed by Node.js: the fuse its official binaries carry, which postject flips.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * A standalone executable: Node.js (`nodeBinary`) with `cjsBundle` injected as its single
 * executable application (`--experimental-sea-config` and postject, Node 24's procedure). The
 * blob is made by the same Node that runs it, as its format requires.
 */
export async function buildSea(options: { cjsBundle: string; nodeBinary: string; outFile: string; workDir: string }): Promise<void> {
  const config = join(options.workDir, 'sea-config.json');
  const blob = join(options.workDir, 'sea-prep.blob');
  // The blob records `main` as written: a name relative to the bundle's folder keeps the binary
  // independent of where it was built. No snapshot or code cache: both would tie the blob to this
  // machine's V8 flags for no gain worth their size at the CLI's start-up.
  await writeFile(
    config,
    JSON.stringify({ main: basename(options.cjsBundle), output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }),
  );
  await run(options.nodeBinary, ['--experimental-sea-config', config], { cwd: dirname(options.cjsBundle) });
  await copyFile(options.nodeBinary, options.outFile);
  await chmod(options.outFile, 0o755);
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  try {
    await run(process.execPath, [postject, options.outFile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`postject failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}
