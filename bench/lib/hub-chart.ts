import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { quantityBytes } from '@promfleet/api';
import { repositoryRoot } from '@promfleet/testkit';
import { parse } from 'yaml';

interface HubChartValues {
  readonly resources?: { readonly limits?: { readonly memory?: string } };
  readonly nodeOptions?: string;
}

async function hubChartValues(): Promise<{ readonly file: string; readonly values: HubChartValues }> {
  const file = join(repositoryRoot(), 'charts', 'promfleet-hub', 'values.yaml');
  return { file, values: parse(await readFile(file, 'utf8')) as HubChartValues };
}

/**
 * The memory limit the hub's chart gives a hub replica by default (`resources.limits.memory` in
 * its values.yaml), read from the chart so the benchmarks hold the hub to what is deployed.
 */
export async function hubChartMemoryLimitBytes(): Promise<number> {
  const { file, values } = await hubChartValues();
  const bytes = quantityBytes(values.resources?.limits?.memory);
  if (bytes === undefined) throw new Error(`${file}: resources.limits.memory is not a quantity`);
  return bytes;
}

/** The Node options the hub's chart runs a hub replica with by default (`nodeOptions`, its NODE_OPTIONS). */
export async function hubChartNodeOptions(): Promise<string> {
  const { file, values } = await hubChartValues();
  if (typeof values.nodeOptions !== 'string') throw new Error(`${file}: nodeOptions is not a string`);
  return values.nodeOptions;
}
