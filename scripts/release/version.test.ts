import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { COMPONENTS, imageRepository, ROOT } from './config.ts';
import { releaseVersion, versionMismatches } from './version.ts';

describe('one version for everything', () => {
  it('is the root package.json’s, and both charts’ version and appVersion equal it', () => {
    const version = releaseVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(versionMismatches(version)).toEqual([]);
  });

  it('names every chart field that disagrees', () => {
    const problems = versionMismatches('9.9.9');
    expect(problems).toHaveLength(COMPONENTS.length * 2);
    expect(problems[0]).toMatch(/^charts\/promfleet-hub\/Chart\.yaml version is "[^"]+", not the release version 9\.9\.9 \(package\.json\)$/);
  });
});

describe('image references in the charts', () => {
  it.each(COMPONENTS)('%s defaults to the image the release builds, tagged with the chart’s appVersion', (chart) => {
    const values = parse(readFileSync(join(ROOT, 'charts', chart, 'values.yaml'), 'utf8')) as { image: { repository: string; tag: string; digest: string } };
    expect(values.image).toMatchObject({ repository: imageRepository(chart), tag: '', digest: '' });
  });
});

describe('the docs', () => {
  // Where the docs name a release — install commands, file names, image tags, --version output —
  // it is the current one, so a version bump that forgets them fails here.
  const V = String.raw`(\d+\.\d+\.\d+(?:-(?!linux-)[0-9A-Za-z.]*[0-9A-Za-z])?)`; // a semantic version; -linux- starts an archive’s platform
  const QUOTES = [
    `--version ${V}`,
    `promfleet@${V}`,
    `promfleet(?:-hub|-replica-operator)?-${V}[-.]`,
    String.raw`ghcr\.io/promfleet/[\w-]+:${V}`,
    `\`promfleet ${V}`,
    `examples use ${V}`,
  ].map((pattern) => new RegExp(pattern, 'g'));
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((file) => `docs/${file}`), ...COMPONENTS.map((chart) => `charts/${chart}/README.md`)];

  it.each(files)('%s quotes only the release version', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const quoted = QUOTES.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
    expect(quoted.filter((version) => version !== releaseVersion())).toEqual([]);
  });
});
