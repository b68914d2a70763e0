#!/usr/bin/env node
// The promfleet command (also kubectl-promfleet). Runs the build when there is one; otherwise
// runs the TypeScript sources with Node's type stripping, resolving workspace packages to their
// sources through the "source" export condition.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const built = new URL('../dist/main.js', import.meta.url);

if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--conditions=source', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`promfleet: cannot run ${source}: ${child.error.message}\n`);
    process.exit(1);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
