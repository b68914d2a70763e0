import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The pod spec fields volumes are made from. */
export interface PodVolume {
  name: string;
  configMap?: { name?: string; items?: { key: string; path: string }[]; optional?: boolean };
  secret?: { secretName?: string; items?: { key: string; path: string }[]; optional?: boolean };
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

/** Where the kubelet reads ConfigMaps and Secrets (its caches); data decoded, undefined when absent. */
export interface VolumeSources {
  configMap(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  secret(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
}

/** A container path and the directory on this machine that stands for it. */
export interface Mount {
  readonly mountPath: string;
  readonly hostPath: string;
}

export interface MaterialisedVolumes {
  readonly mounts: readonly Mount[];
  /** Hash of every ConfigMap and Secret file: a change means the kubelet "synced" new content. */
  readonly digest: string;
  /** ConfigMaps or Secrets that do not exist: a kubelet would not start the container. */
  readonly missing: readonly string[];
}

/**
 * The volumes of one container as directories: ConfigMap and Secret keys as files (written only
 * when their content changed, each by rename, as a kubelet swaps its `..data` link), emptyDirs
 * in the pod's folder, claims in the cluster's folder so their data outlives the pod.
 */
export async function materialiseVolumes(
  pod: { namespace: string; volumes: readonly PodVolume[]; mounts: readonly VolumeMount[] },
  folders: { pod: string; claims: string },
  sources: VolumeSources,
): Promise<MaterialisedVolumes> {
  const hash = createHash('sha256');
  const mounts: Mount[] = [];
  const missing: string[] = [];
  for (const mount of pod.mounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume of the pod`);
    let hostPath = join(folders.pod, 'volumes', volume.name);
    if (volume.persistentVolumeClaim) hostPath = join(folders.claims, pod.namespace, volume.persistentVolumeClaim.claimName);
    await mkdir(hostPath, { recursive: true });
    const source = volume.configMap ?? volume.secret;
    if (source) {
      const name = volume.configMap?.name ?? volume.secret?.secretName ?? '';
      const data = volume.configMap ? sources.configMap(pod.namespace, name) : sources.secret(pod.namespace, name);
      if (data === undefined) {
        if (source.optional !== true) missing.push(`${volume.configMap ? 'ConfigMap' : 'Secret'} ${name}`);
      } else {
        const files = source.items
          ? Object.fromEntries(source.items.filter((item) => item.key in data).map((item) => [item.path, data[item.key] ?? '']))
          : data;
        await syncFiles(hostPath, files);
        for (const [file, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${volume.name}/${file}\0${content}\0`);
      }
    }
    mounts.push({ mountPath: mount.mountPath.replace(/\/+$/, ''), hostPath: mount.subPath ? join(hostPath, mount.subPath) : hostPath });
  }
  return { mounts, digest: hash.digest('hex'), missing };
}

async function syncFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === content) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, content);
    await rename(`${path}.tmp`, path);
  }
  const kept = new Set(Object.keys(files).map((file) => file.split('/')[0]));
  for (const entry of await readdir(dir)) {
    if (!kept.has(entry)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** The machine path of a container path, for the mounts it lies under (the longest mount wins). */
export function hostPathOf(mounts: readonly Mount[], path: string): string | undefined {
  const mount = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length).find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
  return mount ? mount.hostPath + path.slice(mount.mountPath.length) : undefined;
}
