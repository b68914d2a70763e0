// Writes every generated artefact of @promfleet/api: the CRDs in crds/.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { renderCRDFiles } from '../src/crd/render.ts';
import { CRD_DIRECTORY } from '../src/crd/paths.ts';

await mkdir(CRD_DIRECTORY, { recursive: true });
const files = renderCRDFiles();
for (const existing of await readdir(CRD_DIRECTORY)) {
  if (!files.has(existing)) await rm(join(CRD_DIRECTORY, existing));
}
for (const [name, text] of files) {
  await writeFile(join(CRD_DIRECTORY, name), text);
  console.log(`wrote crds/${name}`);
}
