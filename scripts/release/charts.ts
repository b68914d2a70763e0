import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { helm } from '../../charts/test/helpers/helm.ts';
import { COMPONENTS, COORDINATES, ROOT, type Component } from './config.ts';

export function chartArchiveName(chart: Component, version: string): string {
  return `${chart}-${version}.tgz`;
}

/**
 * `helm package` of both charts with version and appVersion set to the release version (the
 * images' tag), and `helm repo index` over them for a classic chart repository — with the
 * source's time instead of the clock's, so the index is as reproducible as the archives.
 */
export async function packageCharts(version: string, outDir: string, epochSeconds: number): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const archives: string[] = [];
  for (const chart of COMPONENTS) {
    await helm(['package', join(ROOT, 'charts', chart), '--version', version, '--app-version', version, '--destination', outDir]);
    archives.push(join(outDir, chartArchiveName(chart, version)));
  }
  await helm(['repo', 'index', outDir, '--url', COORDINATES.chartsRepository]);
  const indexFile = join(outDir, 'index.yaml');
  // Helm's own text with its two kinds of timestamp replaced; re-serializing could restyle the rest.
  const time = JSON.stringify(new Date(epochSeconds * 1000).toISOString());
  const index = (await readFile(indexFile, 'utf8')).replace(/^(\s*created|generated): .*$/gm, `$1: ${time}`);
  await writeFile(indexFile, index);
  return archives;
}
