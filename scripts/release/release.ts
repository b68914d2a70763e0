// pnpm release [--output DIR]: builds every artifact of a release into one folder with
// SHA256SUMS, and prints — without running — the steps that publish them. See docs/operations.md#releases.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { writeTar } from './archive.ts';
import { bundle } from './bundle.ts';
import { packageCharts } from './charts.ts';
import { CHECKSUMS_FILE, writeChecksums } from './checksums.ts';
import { COMPONENT_PACKAGES, COMPONENTS, pinnedNodeVersion, ROOT } from './config.ts';
import { buildBaseLayers, buildImage, IMAGE_ENTRY, imageArchiveName, type ImageContext } from './image/build.ts';
import { CLI_BINARY, cliArchiveName, krewManifest } from './krew.ts';
import { nodeDistribution } from './node-dist.ts';
import { CLI_BUNDLE, packNpmPackage } from './npm-package.ts';
import { KREW_MANIFEST, PUBLISH_SCRIPT, publishNotes, publishScript, publishSteps } from './publish.ts';
import { buildSea } from './sea.ts';
import { releaseVersion, versionMismatches } from './version.ts';

const USAGE = `Usage: pnpm release [--output DIR]

Builds promfleet's release artifacts from this checkout into DIR (default dist/release/<version>/):
the bundled CLI, the standalone binary and its krew manifest, the npm package, both charts and
their index, and the hub and operator images as OCI archives; then SHA256SUMS. A dry run: it
publishes nothing, and prints the steps that would (also written to DIR/${PUBLISH_SCRIPT}).
Needs Linux x86-64 with apt (the images' C libraries are Debian packages) and the npm registry.
`;

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

function sourceContext(): { epochSeconds: number; revision: string } {
  const epoch = process.env.SOURCE_DATE_EPOCH ?? git(['log', '-1', '--format=%ct']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return { epochSeconds: Number(epoch), revision: `${git(['rev-parse', 'HEAD'])}${dirty ? '-dirty' : ''}` };
}

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  console.log(`release: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { output: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const version = releaseVersion();
  const mismatches = versionMismatches(version);
  if (mismatches.length > 0) throw new Error(`release: ${mismatches.join('; ')}`);
  const out = resolve(values.output ?? join(ROOT, 'dist', 'release', version));
  const work = `${out}.work`;
  // The folder is emptied first: only when it is new, empty, or an earlier release.
  if (existsSync(out) && (await readdir(out)).length > 0 && !existsSync(join(out, CHECKSUMS_FILE))) {
    throw new Error(`release: ${out} is neither empty nor an earlier release (no ${CHECKSUMS_FILE}); choose another --output`);
  }
  await rm(out, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await mkdir(work, { recursive: true });
  const started = performance.now();
  try {
    // Bundles in the work folder: promfleet.mjs (one file) and promfleet.cjs (the binary's), the
    // npm package's CLI and each image's /app split into an entry and its chunks.
    const apps = Object.fromEntries(COMPONENTS.map((component) => [component, join(work, `app-${component}`)])) as Record<(typeof COMPONENTS)[number], string>;
    const cliEntry = 'packages/cli/src/main.ts';
    const npmCli = join(work, 'npm-cli');
    await timed('bundled the CLI, the hub and the operator', async () => {
      await Promise.all([
        bundle({ promfleet: cliEntry }, work, 'esm', version),
        bundle({ promfleet: cliEntry }, work, 'cjs', version),
        bundle({ promfleet: cliEntry }, npmCli, 'esm-split', version),
        ...COMPONENTS.map((component) => bundle({ [IMAGE_ENTRY]: `${COMPONENT_PACKAGES[component]}/src/main.ts` }, apps[component], 'esm-split', version)),
      ]);
      await copyFile(join(work, 'promfleet.mjs'), join(out, CLI_BUNDLE));
      await chmod(join(out, CLI_BUNDLE), 0o755);
    });

    const node = await timed(`Node.js ${pinnedNodeVersion()} for linux-x64`, () => nodeDistribution(pinnedNodeVersion()));
    const context: ImageContext = { version, ...sourceContext(), workDir: work };

    const archive = await timed('standalone binary and its archive', async () => {
      const binDir = join(work, 'cli-archive');
      await mkdir(binDir);
      await buildSea({ cjsBundle: join(work, 'promfleet.cjs'), nodeBinary: node.binary, outFile: join(binDir, CLI_BINARY), workDir: work });
      return writeTar(binDir, [CLI_BINARY], join(out, cliArchiveName(version)), { epochSeconds: context.epochSeconds, gzip: true });
    });
    await writeFile(join(out, KREW_MANIFEST), krewManifest(version, archive.sha256));

    await timed('npm package', () => packNpmPackage({ cliDir: npmCli, version, workDir: work, outDir: out }));
    await timed('charts and index.yaml', () => packageCharts(version, join(out, 'charts'), context.epochSeconds));
    await timed('images', async () => {
      const base = await buildBaseLayers(context, node);
      await mkdir(join(out, 'images'));
      for (const component of COMPONENTS) {
        await buildImage({ component, appDir: apps[component], base, context, outFile: join(out, 'images', imageArchiveName(component, version)) });
      }
    });
    await writeFile(join(out, PUBLISH_SCRIPT), publishScript(version), { mode: 0o755 });
    const sums = await timed(CHECKSUMS_FILE, () => writeChecksums(out));

    console.log(`\npromfleet ${version} → ${relative(process.cwd(), out) || '.'} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    for (const path of sums.keys()) console.log(`  ${path.padEnd(52)} ${size((await stat(join(out, path))).size).padStart(10)}`);
    console.log('\nDry run: nothing was published. Publishing runs, with credentials, from that folder (bash publish.sh):');
    for (const { what, command } of publishSteps(version)) console.log(`  # ${what}\n  ${command}`);
    for (const note of publishNotes()) console.log(`  # ${note}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
