import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where a release is published. Everything that names a place outside this repository comes from
 * here: the image references (the charts' `image.repository` defaults must equal them, a test
 * checks), the chart repository and OCI registry, the download URL of the krew archive. A fork
 * changes this file and the two charts' values.yaml.
 */
export const COORDINATES = {
  /** Source repository; its releases hold the CLI archive and the charts' classic repository files. */
  repository: 'https://github.com/promfleet/promfleet',
  imageRegistry: 'ghcr.io/promfleet',
  /** `helm push … oci://ghcr.io/promfleet/charts`; `helm install … oci://ghcr.io/promfleet/charts/<chart>`. */
  chartsOci: 'oci://ghcr.io/promfleet/charts',
  /** Base URL of the classic chart repository (`helm repo add promfleet <url>`): index.yaml and the chart archives. */
  chartsRepository: 'https://promfleet.github.io/charts',
  npmPackage: 'promfleet',
} as const;

export const COMPONENTS = ['promfleet-hub', 'promfleet-replica-operator'] as const;
export type Component = (typeof COMPONENTS)[number];

/** The workspace package each image and chart runs. */
export const COMPONENT_PACKAGES: Record<Component, string> = {
  'promfleet-hub': 'packages/hub',
  'promfleet-replica-operator': 'packages/replica-operator',
};

export function imageRepository(component: Component): string {
  return `${COORDINATES.imageRegistry}/${component}`;
}

/** The URL the krew manifest downloads the CLI archive from. */
export function downloadUrl(version: string, file: string): string {
  return `${COORDINATES.repository}/releases/download/v${version}/${file}`;
}

/**
 * The Node.js the standalone binary and the images carry: the version scripts/toolchain.sh pins
 * for development and CI, so what ships is what the tests ran on.
 */
export function pinnedNodeVersion(): string {
  const toolchain = readFileSync(new URL('../toolchain.sh', import.meta.url), 'utf8');
  const version = /^promfleet_node_version=(\S+)$/m.exec(toolchain)?.[1];
  if (!version) throw new Error('release: scripts/toolchain.sh does not set promfleet_node_version');
  return version;
}
