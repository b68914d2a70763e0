// Shared by the bin files of the promfleet commands. Runs the package's build when there is one;
// otherwise runs its TypeScript sources with Node's type stripping, resolving workspace packages
// to their sources through the "source" export condition. Plain JavaScript: it must run before
// anything can be compiled.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

/**
 * @param {string} binUrl import.meta.url of the bin file (in `<package>/bin/`)
 * @param {string} name the command's name, for error messages
 */
export async function runEntry(binUrl, name) {
  const built = new URL('../dist/main.js', binUrl);
  if (existsSync(fileURLToPath(built))) {
    await import(built.href);
    return;
  }
  const source = fileURLToPath(new URL('../src/main.ts', binUrl));
  const child = spawnSync(process.execPath, ['--conditions=source', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`${name}: cannot run ${source}: ${child.error.message}\n`);
    process.exit(1);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
