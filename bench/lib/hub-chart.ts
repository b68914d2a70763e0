import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { quantityBytes } from '@promfleet/api';
import { repositoryRoot } from '@promfleet/testkit';
import { parse } from 'yaml';

/**
 * The memory limit the hub's chart gives a hub replica by default (`resources.limits.memory` in
 * its values.yaml), read from the chart so the benchmarks hold the hub to what is deployed.
 */
export async function hubChartMemoryLimitBytes(): Promise<number> {
  const file = join(repositoryRoot(), 'charts', 'promfleet-hub', 'values.yaml');
  const values = parse(await readFile(file, 'utf8')) as { resources?: { limits?: { memory?: string } } };
  const bytes = quantityBytes(values.resources?.limits?.memory);
  if (bytes === undefined) throw new Error(`${file}: resources.limits.memory is not a quantity`);
  return bytes;
}
