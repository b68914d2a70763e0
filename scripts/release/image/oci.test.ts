import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeTar } from '../archive.ts';
import { openImageArchive } from './inspect.ts';
import { blobPath, dockerLoadManifest, imageConfig, imageIndex, imageManifest, MEDIA_TYPES, OCI_LAYOUT, type Blob, type Layer } from './oci.ts';

const run = promisify(execFile);
const REFERENCE = 'ghcr.io/promfleet/example:1.2.3';
const RUNTIME = {
  user: '65532:65532',
  entrypoint: ['/nodejs/bin/node', '/app/main.mjs'],
  workingDir: '/app',
  env: ['A=1'],
  exposedPorts: [8080],
  labels: { 'org.opencontainers.image.version': '1.2.3' },
};
const CREATED = '2026-01-01T00:00:00.000Z';

let scratch: string;
let layer: Layer & { file: string };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'promfleet-oci-test-'));
  await mkdir(join(scratch, 'rootfs', 'app'), { recursive: true });
  await writeFile(join(scratch, 'rootfs', 'app', 'main.mjs'), 'console.log("hi")\n');
  const file = join(scratch, 'layer.tar.gz');
  layer = { file, createdBy: 'the app', ...(await writeTar(join(scratch, 'rootfs'), ['app'], file, { epochSeconds: 0, gzip: true })) };
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Writes an OCI archive the way image/build.ts does; `tamper` edits the layout before it is packed. */
async function archive(
  name: string,
  tamper: (layout: string, blobs: { config: Blob; manifest: Blob }) => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  const config = imageConfig([layer], RUNTIME, CREATED);
  const manifest = imageManifest(config, [layer], {});
  const layout = join(scratch, name);
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [config, manifest]) await writeFile(join(layout, blobPath(blob.descriptor.digest)), blob.bytes);
  await writeFile(join(layout, blobPath(`sha256:${layer.sha256}`)), await readFile(layer.file));
  await writeFile(join(layout, 'oci-layout'), JSON.stringify(OCI_LAYOUT));
  await writeFile(join(layout, 'index.json'), JSON.stringify(imageIndex(manifest, REFERENCE)));
  await writeFile(join(layout, 'manifest.json'), JSON.stringify(dockerLoadManifest(config, [layer], REFERENCE)));
  await tamper(layout, { config, manifest });
  const file = join(scratch, `${name}.oci.tar`);
  await run('tar', ['-cf', file, '-C', layout, '.']);
  return file;
}

async function open(file: string): ReturnType<typeof openImageArchive> {
  const dir = await mkdtemp(join(scratch, 'open-'));
  return openImageArchive(file, dir);
}

describe('OCI documents', () => {
  it('describe the image: config with diff_ids and history, manifest with gzip layers, index naming the tag and the full reference', async () => {
    const image = await open(await archive('good'));
    expect(image).toMatchObject({ reference: REFERENCE, tag: '1.2.3' });
    expect(image.config).toEqual({
      created: CREATED,
      architecture: 'amd64',
      os: 'linux',
      config: {
        User: '65532:65532',
        Entrypoint: RUNTIME.entrypoint,
        WorkingDir: '/app',
        Env: ['A=1'],
        ExposedPorts: { '8080/tcp': {} },
        Labels: RUNTIME.labels,
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layer.tarSha256}`] },
      history: [{ created: CREATED, created_by: 'the app' }],
    });
    expect(image.layers).toHaveLength(1);
  });

  it('are byte-equal for equal inputs', () => {
    const one = imageManifest(imageConfig([layer], RUNTIME, CREATED), [layer], {});
    const two = imageManifest(imageConfig([layer], RUNTIME, CREATED), [layer], {});
    expect(two.descriptor).toEqual(one.descriptor);
    expect(one.descriptor.mediaType).toBe(MEDIA_TYPES.manifest);
  });
});

describe('openImageArchive rejects', () => {
  it('a blob whose bytes are not its digest', async () => {
    const file = await archive('corrupt-layer', async (layout) => {
      await writeFile(join(layout, blobPath(`sha256:${layer.sha256}`)), 'not the layer');
    });
    await expect(open(file)).rejects.toThrow(/does not match its descriptor/);
  });

  it('a diff_id that is not the uncompressed layer', async () => {
    const file = await archive('wrong-diff-id', async (layout, { config }) => {
      const forged = imageConfig([{ ...layer, tarSha256: '0'.repeat(64) }], RUNTIME, CREATED);
      const manifest = imageManifest(forged, [layer], {});
      await rm(join(layout, blobPath(config.descriptor.digest)));
      for (const blob of [forged, manifest]) await writeFile(join(layout, blobPath(blob.descriptor.digest)), blob.bytes);
      await writeFile(join(layout, 'index.json'), JSON.stringify(imageIndex(manifest, REFERENCE)));
      await writeFile(join(layout, 'manifest.json'), JSON.stringify(dockerLoadManifest(forged, [layer], REFERENCE)));
    });
    await expect(open(file)).rejects.toThrow(/is not its uncompressed digest/);
  });

  it('a docker manifest.json that names another image', async () => {
    const file = await archive('docker-mismatch', async (layout, { config }) => {
      await writeFile(join(layout, 'manifest.json'), JSON.stringify(dockerLoadManifest(config, [layer], 'ghcr.io/promfleet/other:1.2.3')));
    });
    await expect(open(file)).rejects.toThrow(/disagrees with the OCI manifest/);
  });
});
