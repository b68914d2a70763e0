// Writes every generated artefact of @promfleet/api: the CRDs in crds/, and the Helm charts'
// copies of them (a chart can only read files inside itself).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { CHARTS_DIRECTORY, renderChartCRDFiles } from '../../../charts/src/crd-copies.ts';
import { renderCRDFiles } from '../src/crd/render.ts';
import { CRD_DIRECTORY } from '../src/crd/paths.ts';

/** Makes `dir` hold exactly `files`: writes each, removes any other. */
async function writeFolder(dir: string, files: Map<string, string>, shownAs: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const existing of await readdir(dir)) {
    if (!files.has(existing)) await rm(join(dir, existing));
  }
  for (const [name, text] of files) {
    await writeFile(join(dir, name), text);
    console.log(`wrote ${shownAs}/${name}`);
  }
}

await writeFolder(CRD_DIRECTORY, renderCRDFiles(), 'crds');
for (const [dir, files] of renderChartCRDFiles()) {
  await writeFolder(dir, files, `charts/${relative(CHARTS_DIRECTORY, dir)}`);
}
