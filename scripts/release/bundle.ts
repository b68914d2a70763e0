import { join } from 'node:path';

import { build, type BuildOptions } from 'esbuild';

import { ROOT } from './config.ts';

// Bundled dependencies keep their CommonJS `require` calls (client-node, fastify, pino…): an ES
// module bundle defines `require` itself for them.
const ESM_REQUIRE =
  "#!/usr/bin/env node\nimport { createRequire as __promfleetCreateRequire } from 'node:module';\nconst require = __promfleetCreateRequire(import.meta.url);";
// A CommonJS bundle has no import.meta; the sources that build paths from it get the bundle's own URL.
const CJS_IMPORT_META_URL = "const __promfleetImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/**
 * `esm`: one ES module file per entry (`node promfleet.mjs`, the one-file download). `esm-split`:
 * an ES module per entry plus the chunks it imports (`chunks/`), each loaded only when the code
 * that needs it runs — the npm package and the images, so `promfleet --help` parses its own few
 * kilobytes rather than the whole CLI, and a controller never parses what it does not use (Redis
 * in a hub without it, client-node's auth plugins without an exec kubeconfig). `cjs`: one
 * CommonJS file, for the standalone binary, whose Node (24) runs only CommonJS entries.
 */
export type BundleFormat = 'esm' | 'esm-split' | 'cjs';

/**
 * Every dependency bundled, for Node 22.19 or newer: `entries` maps an output name
 * (`<outdir>/<name>.mjs` or `.cjs`) to a TypeScript source under the repository. One build for
 * several entries parses their shared dependencies once (and, split, shares their chunks).
 */
export async function bundle(entries: Readonly<Record<string, string>>, outdir: string, format: BundleFormat, version: string): Promise<void> {
  const esm = format !== 'cjs';
  const options: BuildOptions = {
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, join(ROOT, entry)])),
    outdir,
    outExtension: { '.js': esm ? '.mjs' : '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node22.19',
    format: esm ? 'esm' : 'cjs',
    splitting: format === 'esm-split',
    chunkNames: 'chunks/[name]-[hash]',
    // Workspace packages resolve to their TypeScript sources, as in development and tests.
    conditions: ['source'],
    minify: true,
    // Class and function names appear in errors and logs.
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'warning',
    define: {
      PROMFLEET_RELEASE_VERSION: JSON.stringify(version),
      ...(format === 'cjs' ? { 'import.meta.url': '__promfleetImportMetaUrl' } : {}),
    },
    banner: { js: esm ? ESM_REQUIRE : CJS_IMPORT_META_URL },
  };
  await build(options);
}
