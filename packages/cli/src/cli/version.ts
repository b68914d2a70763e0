import { readFileSync } from 'node:fs';

// The release bundle replaces this identifier with the release version (scripts/release/bundle.ts):
// a bundle has no package.json beside it to read.
declare const PROMFLEET_RELEASE_VERSION: string | undefined;

/** The release version: the root package.json's `version`, the one version source of promfleet. */
export function cliVersion(): string {
  if (typeof PROMFLEET_RELEASE_VERSION === 'string') return PROMFLEET_RELEASE_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
