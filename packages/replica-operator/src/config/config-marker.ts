import { POD_PATHS } from '../pod-paths.ts';

/**
 * A config marker: an empty rule file whose name carries the config's hash, listed in
 * `rule_files`. Prometheus shows its loaded config (with paths) at /api/v1/status/config, so
 * the operator can tell which config each pod has actually loaded, not only that a reload
 * succeeded — Prometheus itself exposes no hash of its config.
 */
const PREFIX = 'promfleet-config-';
const MARKER = /promfleet-config-([0-9a-f]{16})\.yaml$/;

export const MARKER_CONTENT = "# The replica operator reads this file's name back from Prometheus to tell which config it loaded.\ngroups: []\n";

export function markerFile(hash: string): string {
  return `${PREFIX}${hash}.yaml`;
}

export function markerPath(hash: string): string {
  return `${POD_PATHS.configDir}/${markerFile(hash)}`;
}

/** The hash of the config a list of loaded rule files says was loaded, if it holds a marker. */
export function loadedConfigHash(ruleFiles: readonly unknown[]): string | undefined {
  for (const file of ruleFiles) {
    const match = typeof file === 'string' ? MARKER.exec(file) : null;
    if (match?.[1]) return match[1];
  }
  return undefined;
}
