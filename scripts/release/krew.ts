import { stringify } from 'yaml';

import { COORDINATES, downloadUrl } from './config.ts';

/** The archive the standalone binary ships in; the krew manifest points at it. */
export function cliArchiveName(version: string): string {
  return `promfleet-${version}-linux-amd64.tar.gz`;
}

/** The binary's name inside the archive. */
export const CLI_BINARY = 'promfleet';

/**
 * The krew plugin manifest for `kubectl promfleet` (krew.googlecontainertools.github.com/v1alpha2
 * Plugin): krew downloads the archive, checks its sha256, and links `kubectl-promfleet` to the
 * binary. Linux x86-64 only: the standalone binary is built from Node's linux-x64 build.
 */
export function krewManifest(version: string, archiveSha256: string): string {
  const archive = cliArchiveName(version);
  return stringify(
    {
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'promfleet' },
      spec: {
        version: `v${version}`,
        homepage: COORDINATES.repository,
        shortDescription: 'Join clusters to a promfleet hub and inspect the fleet',
        description: [
          'promfleet runs Prometheus and Thanos across a fleet of clusters. This plugin joins a member',
          'cluster to the hub with a credential scoped to one namespace (join, unjoin), lists members',
          'and PrometheusClusters (members, status), prints DNS records (endpoints), validates',
          'manifests (validate) and prints the CRDs (crds).',
        ].join(' '),
        platforms: [
          {
            selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
            uri: downloadUrl(version, archive),
            sha256: archiveSha256,
            bin: CLI_BINARY,
            files: [{ from: CLI_BINARY, to: '.' }],
          },
        ],
      },
    },
    { lineWidth: 0 },
  );
}
