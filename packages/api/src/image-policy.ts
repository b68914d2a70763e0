import type { Images } from './schemas/replica-template.ts';
import type { FieldError } from './validate.ts';

/**
 * Which images a PrometheusReplica may run. Whoever may write a PrometheusCluster chooses the
 * images of every selected member, so both the hub (before fanning out) and the replica operator
 * (before creating anything) check them against an allow-list of prefixes, with this one function.
 */

export type ImageField = keyof Images;

/**
 * Images the operator runs unless a replica overrides them, pinned to versions tested together:
 * Prometheus 3.5 is the LTS line; Thanos 0.39 supports `--endpoint` discovery (Query no longer
 * has `--store`) and the reloader's envsubst output the external labels depend on.
 */
export const DEFAULT_IMAGES: Readonly<Record<ImageField, string>> = {
  prometheus: 'quay.io/prometheus/prometheus:v3.5.0',
  thanos: 'quay.io/thanos/thanos:v0.39.2',
  grafana: 'docker.io/grafana/grafana:12.1.1',
};

/** Allows any image: the explicit opt-out of the policy. */
export const ANY_IMAGE = '*';

// distribution/reference: a path component, a tag, a digest.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Whether the first path segment names a registry host, as the container runtimes decide it. */
function isRegistry(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost' || segment !== segment.toLowerCase();
}

/**
 * The image as the container runtime resolves it: `grafana/grafana:12` is
 * `docker.io/grafana/grafana:12`, `busybox` is `docker.io/library/busybox`. Undefined when it is
 * not a valid image reference at all (such a reference is never allowed).
 */
export function normalizeImageReference(image: string): string | undefined {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const named = at >= 0 ? image.slice(0, at) : image;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const hasDomain = slash >= 0 && isRegistry(first);
  let domain = hasDomain ? first : 'docker.io';
  const rest = hasDomain ? named.slice(slash + 1) : named;
  if (!DOMAIN.test(domain)) return undefined;
  const colon = rest.lastIndexOf(':');
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  const components = path.split('/');
  if (!components.every((component) => PATH_COMPONENT.test(component))) return undefined;
  if (domain === 'index.docker.io') domain = 'docker.io';
  const repository = domain === 'docker.io' && components.length === 1 ? `library/${path}` : path;
  return `${domain}/${repository}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
}

/** Why a configured prefix is unusable, or undefined. A prefix must start with a registry host. */
export function imagePrefixProblem(prefix: string): string | undefined {
  if (prefix === ANY_IMAGE) return undefined;
  const first = prefix.split('/')[0] ?? '';
  if (!prefix.includes('/') || !isRegistry(first) || !DOMAIN.test(first)) {
    return `${JSON.stringify(prefix)} is not an image prefix: it must start with a registry host and a slash, e.g. registry.example.com/ or quay.io/prometheus/`;
  }
  return undefined;
}

/** `quay.io/prometheus/`, …: the registry and organisation of each pinned image. */
export const DEFAULT_ALLOWED_IMAGE_PREFIXES: readonly string[] = [
  ...new Set(Object.values(DEFAULT_IMAGES).map((image) => image.slice(0, image.lastIndexOf('/') + 1))),
];

/**
 * Whether a (normalized) reference is under a prefix. The prefix must end where a name segment,
 * the tag or the digest does: `quay.io/prometheus` allows `quay.io/prometheus/prometheus` but
 * not `quay.io/prometheus-fork/prometheus`.
 */
function underPrefix(reference: string, prefix: string): boolean {
  if (prefix === ANY_IMAGE) return true;
  if (!reference.startsWith(prefix)) return false;
  if (/[/:@]$/.test(prefix)) return true;
  const next = reference.charAt(prefix.length);
  return next === '' || next === '/' || next === ':' || next === '@';
}

export function isImageAllowed(image: string, allowedPrefixes: readonly string[]): boolean {
  if (allowedPrefixes.includes(ANY_IMAGE)) return true;
  const reference = normalizeImageReference(image);
  return reference !== undefined && allowedPrefixes.some((prefix) => underPrefix(reference, prefix));
}

/**
 * One error per image outside the allow-list, at `spec.images.<field>`. `defaults` are the
 * images a component runs when the spec names none (the operator passes those it will run; the
 * hub, which runs nothing, passes none): an allow-list that excludes a default is reported
 * against the field that would override it.
 */
export function disallowedImages(
  images: Images | undefined,
  allowedPrefixes: readonly string[],
  defaults: Partial<Record<ImageField, string>> = {},
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of Object.keys(DEFAULT_IMAGES) as ImageField[]) {
    const stated = images?.[field];
    const image = stated ?? defaults[field];
    if (image === undefined || isImageAllowed(image, allowedPrefixes)) continue;
    const what = stated === undefined ? `the default image ${JSON.stringify(image)}` : JSON.stringify(image);
    errors.push({
      path: `spec.images.${field}`,
      message: `${what} is not allowed: only images under ${allowedPrefixes.join(', ')} may run (--allowed-image-prefixes)`,
    });
  }
  return errors;
}

/**
 * The allow-list from a flag's values: comma-separated or repeated, blanks dropped, the pinned
 * images' registries when none is given. Fails naming the first unusable prefix.
 */
export function parseAllowedImagePrefixes(values: readonly string[]): { ok: true; prefixes: string[] } | { ok: false; message: string } {
  const prefixes = values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  for (const prefix of prefixes) {
    const problem = imagePrefixProblem(prefix);
    if (problem) return { ok: false, message: `--allowed-image-prefixes: ${problem}` };
  }
  return { ok: true, prefixes: prefixes.length > 0 ? [...new Set(prefixes)] : [...DEFAULT_ALLOWED_IMAGE_PREFIXES] };
}
