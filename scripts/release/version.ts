import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { COMPONENTS, ROOT } from './config.ts';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * The release version: the root package.json's `version`, the one version source. The CLI's
 * `--version`, the npm package, the images' tags and both charts' version and appVersion are it.
 */
export function releaseVersion(): string {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || !SEMVER.test(version))
    throw new Error(`release: package.json's version ${JSON.stringify(version)} is not a semantic version`);
  return version;
}

/** Where the checked-in charts disagree with the release version; empty when they agree. */
export function versionMismatches(version: string): string[] {
  const problems: string[] = [];
  for (const chart of COMPONENTS) {
    const manifest = parse(readFileSync(join(ROOT, 'charts', chart, 'Chart.yaml'), 'utf8')) as { version?: unknown; appVersion?: unknown };
    for (const field of ['version', 'appVersion'] as const) {
      if (manifest[field] !== version)
        problems.push(`charts/${chart}/Chart.yaml ${field} is ${JSON.stringify(manifest[field])}, not the release version ${version} (package.json)`);
    }
  }
  return problems;
}
