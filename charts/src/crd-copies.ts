import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { crdFileName, renderCRDFiles, type KindName } from '@promfleet/api';

/**
 * The CRDs each chart installs. A chart can only read files inside itself (`.Files.Get`), so it
 * carries copies of the generated files; `pnpm generate` writes them and a test fails when one
 * is stale. The hub's kinds live in the hub cluster, PrometheusReplica in every member.
 */
export const CHART_CRDS = {
  'promfleet-hub': ['PrometheusCluster', 'MemberCluster', 'PrometheusClusterShard'],
  'promfleet-replica-operator': ['PrometheusReplica'],
} as const satisfies Record<string, readonly KindName[]>;

export type ChartName = keyof typeof CHART_CRDS;

export const CHART_NAMES = Object.keys(CHART_CRDS) as ChartName[];

/** The repository's `charts/` folder. */
export const CHARTS_DIRECTORY = fileURLToPath(new URL('../', import.meta.url));

/** `charts/<chart>/files/crds/`, where a chart's copies of the generated CRDs live. */
export function chartCRDDirectory(chart: ChartName): string {
  return join(CHARTS_DIRECTORY, chart, 'files', 'crds');
}

/** What `pnpm generate` writes into each chart: folder → file name → text, byte for byte the file in `crds/`. */
export function renderChartCRDFiles(): Map<string, Map<string, string>> {
  const generated = renderCRDFiles();
  return new Map(
    CHART_NAMES.map((chart) => [
      chartCRDDirectory(chart),
      new Map(
        CHART_CRDS[chart].map((kind) => {
          const file = crdFileName(kind);
          const text = generated.get(file);
          if (text === undefined) throw new Error(`no generated CRD ${file} for ${chart}`);
          return [file, text];
        }),
      ),
    ]),
  );
}
