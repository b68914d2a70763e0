import { readFileSync } from 'node:fs';

// The release bundle replaces this identifier with the release version (scripts/release/bundle.ts):
// a bundle has no package.json beside it to read.
declare const PROMFLEET_RELEASE_VERSION: string | undefined;

/**
 * The release version of whatever runs: the root package.json's `version`, the one version
 * source of promfleet. `promfleet --version` prints it and the replica operator reports it in
 * each PrometheusReplica's status.
 */
export function releaseVersion(): string {
  if (typeof PROMFLEET_RELEASE_VERSION === 'string') return PROMFLEET_RELEASE_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
