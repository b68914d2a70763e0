// The JSON documents of an OCI image layout (image-spec v1.1): pure functions of the layers and
// the runtime configuration, so equal inputs give byte-equal documents and digests.
import { createHash } from 'node:crypto';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  readonly mediaType: string;
  /** `sha256:<hex>`. */
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Layer {
  /** Digest and size of the gzipped blob. */
  readonly sha256: string;
  readonly size: number;
  /** sha256 of the uncompressed tar: the config's diff_id. */
  readonly tarSha256: string;
  /** What the layer holds, for the image's history. */
  readonly createdBy: string;
}

export interface RuntimeConfig {
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly workingDir: string;
  readonly env: readonly string[];
  readonly exposedPorts: readonly number[];
  readonly labels: Readonly<Record<string, string>>;
}

/** A blob: its bytes and its descriptor. */
export interface Blob {
  readonly bytes: Buffer;
  readonly descriptor: Descriptor;
}

export function jsonBlob(mediaType: string, document: unknown): Blob {
  const bytes = Buffer.from(JSON.stringify(document));
  return { bytes, descriptor: { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length } };
}

export function imageConfig(layers: readonly Layer[], runtime: RuntimeConfig, created: string): Blob {
  return jsonBlob(MEDIA_TYPES.config, {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: {
      User: runtime.user,
      Entrypoint: runtime.entrypoint,
      WorkingDir: runtime.workingDir,
      Env: runtime.env,
      ExposedPorts: Object.fromEntries(runtime.exposedPorts.map((port) => [`${port}/tcp`, {}])),
      Labels: runtime.labels,
    },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => `sha256:${layer.tarSha256}`) },
    history: layers.map((layer) => ({ created, created_by: layer.createdBy })),
  });
}

export function imageManifest(config: Blob, layers: readonly Layer[], annotations: Readonly<Record<string, string>>): Blob {
  return jsonBlob(MEDIA_TYPES.manifest, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: config.descriptor,
    layers: layers.map((layer) => ({ mediaType: MEDIA_TYPES.layer, digest: `sha256:${layer.sha256}`, size: layer.size })),
    annotations,
  });
}

/**
 * index.json naming the image twice: by tag (`org.opencontainers.image.ref.name`, what skopeo's
 * `oci:`/`oci-archive:` transports select) and by full reference (`io.containerd.image.name`,
 * what `docker load` and `ctr import` tag it as).
 */
export function imageIndex(manifest: Blob, reference: string): unknown {
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [{ ...manifest.descriptor, annotations: { 'org.opencontainers.image.ref.name': tag, 'io.containerd.image.name': reference } }],
  };
}

/** Docker's `manifest.json`, so `docker load` of Docker versions that predate OCI layouts works too. */
export function dockerLoadManifest(config: Blob, layers: readonly Layer[], reference: string): unknown {
  return [{ Config: blobPath(config.descriptor.digest), RepoTags: [reference], Layers: layers.map((layer) => blobPath(`sha256:${layer.sha256}`)) }];
}

export function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' };
