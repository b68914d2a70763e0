import { parseDocument, stringify } from 'yaml';

/**
 * The kubelet's stand-in for the mounts: the config Prometheus loads names container paths
 * (rule files, the config marker, credential files) that exist here only as the directories the
 * volumes were materialised in. Every string in the config that is a path under a mount is
 * replaced by the directory's path; nothing else changes. (In a pod the Thanos sidecar only
 * watches the config and reloads Prometheus; the stand-in does that too, see runtime.ts.)
 */
export function renderStandInConfig(text: string, translate: (path: string) => string | undefined): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) return text;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.startsWith('/') ? (translate(value) ?? value) : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    return value;
  };
  return stringify(walk(document.toJS()), { lineWidth: 0 });
}
