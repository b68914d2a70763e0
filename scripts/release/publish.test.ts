import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { chartArchiveName } from './charts.ts';
import { CHECKSUMS_FILE, writeChecksums } from './checksums.ts';
import { COMPONENTS, COORDINATES, downloadUrl } from './config.ts';
import { imageArchiveName, imageReference } from './image/build.ts';
import { cliArchiveName, krewManifest } from './krew.ts';
import { publishScript, publishSteps } from './publish.ts';

const run = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'promfleet-publish-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('SHA256SUMS', () => {
  it('is what sha256sum -c checks, and catches a changed artifact', async () => {
    const dir = join(scratch, 'release');
    await mkdir(join(dir, 'charts'), { recursive: true });
    await writeFile(join(dir, 'promfleet.mjs'), 'bundle');
    await writeFile(join(dir, 'charts', 'a chart.tgz'), 'chart');
    const sums = await writeChecksums(dir);
    expect([...sums.keys()]).toEqual(expect.arrayContaining(['promfleet.mjs', 'charts/a chart.tgz']));
    await expect(run('sha256sum', ['--strict', '-c', CHECKSUMS_FILE], { cwd: dir })).resolves.toBeDefined();
    await writeFile(join(dir, 'promfleet.mjs'), 'tampered');
    await expect(run('sha256sum', ['--strict', '-c', CHECKSUMS_FILE], { cwd: dir })).rejects.toHaveProperty(
      'stdout',
      expect.stringContaining('promfleet.mjs: FAILED') as unknown,
    );
  });
});

describe('publishing', () => {
  it('pushes each image to the reference the charts use, each chart to the OCI registry, and the package to npm', () => {
    const commands = publishSteps('1.2.3').map((step) => step.command);
    for (const component of COMPONENTS) {
      expect(commands).toContain(`skopeo copy oci-archive:images/${imageArchiveName(component, '1.2.3')} docker://${imageReference(component, '1.2.3')}`);
      expect(commands).toContain(`helm push charts/${chartArchiveName(component, '1.2.3')} ${COORDINATES.chartsOci}`);
    }
    expect(commands).toContain('npm publish promfleet-1.2.3.tgz');
    expect(commands[0]).toBe('sha256sum -c SHA256SUMS');
  });

  it('is a bash script that parses and stops at the first failure', async () => {
    const script = publishScript('1.2.3');
    expect(script).toContain('set -euo pipefail');
    const file = join(scratch, 'publish.sh');
    await writeFile(file, script);
    await expect(run('bash', ['-n', file])).resolves.toBeDefined();
  });

  it('points krew at the binary’s archive on the release, with its checksum', () => {
    const manifest = parse(krewManifest('1.2.3', 'ab'.repeat(32))) as { spec: { version: string; platforms: unknown[] } };
    expect(manifest.spec.version).toBe('v1.2.3');
    expect(manifest.spec.platforms).toEqual([
      {
        selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
        uri: downloadUrl('1.2.3', cliArchiveName('1.2.3')),
        sha256: 'ab'.repeat(32),
        bin: 'promfleet',
        files: [{ from: 'promfleet', to: '.' }],
      },
    ]);
  });
});
