import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

import { blobPath, MEDIA_TYPES } from './oci.ts';

const run = promisify(execFile);

interface DescriptorJson {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageConfigJson {
  architecture: string;
  os: string;
  config: { User: string; Entrypoint: string[]; WorkingDir: string; Env: string[]; ExposedPorts: Record<string, object>; Labels: Record<string, string> };
  rootfs: { type: string; diff_ids: string[] };
}

export interface OpenedImage {
  /** The full reference index.json names the image by (`io.containerd.image.name`). */
  readonly reference: string;
  readonly tag: string;
  readonly config: ImageConfigJson;
  /** Gzipped layer files, in order. */
  readonly layers: readonly string[];
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Unpacks an OCI archive into `dir` and reads it as a registry or runtime would, failing on the
 * first blob whose digest or size differs from its descriptor, a diff_id that is not the
 * uncompressed layer's digest, or a Docker manifest.json that disagrees with the OCI manifest.
 */
export async function openImageArchive(archive: string, dir: string): Promise<OpenedImage> {
  await run('tar', ['-xf', archive, '-C', dir]);
  const json = async <T>(path: string): Promise<T> => JSON.parse(await readFile(join(dir, path), 'utf8')) as T;
  const blob = async (descriptor: DescriptorJson): Promise<Buffer> => {
    const bytes = await readFile(join(dir, blobPath(descriptor.digest)));
    if (sha256(bytes) !== descriptor.digest || bytes.length !== descriptor.size)
      throw new Error(`blob ${descriptor.digest} does not match its descriptor (${sha256(bytes)}, ${bytes.length} bytes)`);
    return bytes;
  };
  const layout = await json<{ imageLayoutVersion: string }>('oci-layout');
  if (layout.imageLayoutVersion !== '1.0.0') throw new Error(`oci-layout ${JSON.stringify(layout)}`);
  const index = await json<{ schemaVersion: number; manifests: DescriptorJson[] }>('index.json');
  const [entry, ...others] = index.manifests;
  if (index.schemaVersion !== 2 || !entry || others.length > 0 || entry.mediaType !== MEDIA_TYPES.manifest)
    throw new Error('index.json must name exactly one image manifest');
  const manifest = JSON.parse((await blob(entry)).toString()) as { schemaVersion: number; config: DescriptorJson; layers: DescriptorJson[] };
  if (manifest.config.mediaType !== MEDIA_TYPES.config) throw new Error(`config media type ${manifest.config.mediaType}`);
  const config = JSON.parse((await blob(manifest.config)).toString()) as ImageConfigJson;
  if (config.rootfs.diff_ids.length !== manifest.layers.length) throw new Error('diff_ids and layers differ in number');
  for (const [i, layer] of manifest.layers.entries()) {
    if (layer.mediaType !== MEDIA_TYPES.layer) throw new Error(`layer media type ${layer.mediaType}`);
    if (sha256(gunzipSync(await blob(layer))) !== config.rootfs.diff_ids[i])
      throw new Error(`layer ${layer.digest}: diff_id ${config.rootfs.diff_ids[i] ?? ''} is not its uncompressed digest`);
  }
  const reference = entry.annotations?.['io.containerd.image.name'] ?? '';
  const tag = entry.annotations?.['org.opencontainers.image.ref.name'] ?? '';
  const [docker] = await json<{ Config: string; RepoTags: string[]; Layers: string[] }[]>('manifest.json');
  const sameAsOci =
    docker?.Config === blobPath(manifest.config.digest) &&
    JSON.stringify(docker.Layers) === JSON.stringify(manifest.layers.map((layer) => blobPath(layer.digest)));
  if (!sameAsOci || docker.RepoTags[0] !== reference) throw new Error('manifest.json (docker load) disagrees with the OCI manifest');
  return { reference, tag, config, layers: manifest.layers.map((layer) => join(dir, blobPath(layer.digest))) };
}
