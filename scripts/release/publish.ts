import { COMPONENTS, COORDINATES } from './config.ts';
import { chartArchiveName } from './charts.ts';
import { imageArchiveName, imageReference } from './image/build.ts';
import { cliArchiveName } from './krew.ts';
import { CHECKSUMS_FILE } from './checksums.ts';
import { CLI_BUNDLE } from './npm-package.ts';

export const PUBLISH_SCRIPT = 'publish.sh';
export const KREW_MANIFEST = 'promfleet.krew.yaml';

export function npmTarballName(version: string): string {
  return `${COORDINATES.npmPackage}-${version}.tgz`;
}

/**
 * What publishing a release does, in order, run from its folder. Every step needs a credential
 * the dry run does not have (npm, the OCI registry, the source repository), so `pnpm release`
 * writes them as publish.sh and prints them; it runs none.
 */
export function publishSteps(version: string): { readonly what: string; readonly command: string }[] {
  const github = new URL(COORDINATES.repository).pathname.slice(1);
  const charts = COMPONENTS.map((chart) => `charts/${chartArchiveName(chart, version)}`);
  return [
    { what: 'check every artifact against the checksums', command: `sha256sum -c ${CHECKSUMS_FILE}` },
    ...COMPONENTS.map((component) => ({
      what: `push the ${component} image (needs \`skopeo login ${COORDINATES.imageRegistry.split('/')[0] ?? ''}\`)`,
      command: `skopeo copy oci-archive:images/${imageArchiveName(component, version)} docker://${imageReference(component, version)}`,
    })),
    ...charts.map((archive) => ({
      what: `push ${archive} to the OCI chart registry (needs \`helm registry login\`)`,
      command: `helm push ${archive} ${COORDINATES.chartsOci}`,
    })),
    { what: 'publish the CLI package (needs `npm login`)', command: `npm publish ${npmTarballName(version)}` },
    {
      what: 'create the release holding the CLI, the charts, the images and the checksums (needs `gh auth login`)',
      command: `gh release create v${version} --repo ${github} --title v${version} ${[CLI_BUNDLE, cliArchiveName(version), npmTarballName(version), KREW_MANIFEST, ...charts, 'charts/index.yaml', ...COMPONENTS.map((component) => `images/${imageArchiveName(component, version)}`), CHECKSUMS_FILE].join(' ')}`,
    },
  ];
}

/** The steps that are reviews rather than commands: the classic chart repository and krew's index. */
export function publishNotes(): string[] {
  return [
    `Classic chart repository (${COORDINATES.chartsRepository}): merge charts/index.yaml into the published one (helm repo index --merge <published index.yaml> charts/) and publish it with the chart archives.`,
    `krew: propose ${KREW_MANIFEST} as plugins/promfleet.yaml in krew-index (kubernetes-sigs/krew-index); its sha256 is the archive's.`,
  ];
}

export function publishScript(version: string): string {
  return [
    '#!/usr/bin/env bash',
    `# Publishes promfleet ${version}: the steps \`pnpm release\` prints and does not run (a dry run).`,
    '# Run from anywhere, after logging in to npm, the OCI registry (skopeo, helm) and the source repository (gh).',
    'set -euo pipefail',
    'cd "$(dirname "${BASH_SOURCE[0]}")"',
    ...publishSteps(version).flatMap(({ what, command }) => [`# ${what}`, command]),
    ...publishNotes().map((note) => `# Then, by review: ${note}`),
    '',
  ].join('\n');
}
