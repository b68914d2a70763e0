import { describe, expect, it } from 'vitest';

import {
  DEFAULT_ALLOWED_IMAGE_PREFIXES,
  DEFAULT_IMAGES,
  disallowedImages,
  imagePrefixProblem,
  isImageAllowed,
  normalizeImageReference,
  parseAllowedImagePrefixes,
} from './image-policy.ts';

describe('normalizeImageReference', () => {
  it.each([
    ['grafana/grafana:12.1.1', 'docker.io/grafana/grafana:12.1.1'],
    ['busybox', 'docker.io/library/busybox'],
    ['index.docker.io/grafana/grafana', 'docker.io/grafana/grafana'],
    ['quay.io/prometheus/prometheus:v3.5.0', 'quay.io/prometheus/prometheus:v3.5.0'],
    ['localhost/thanos', 'localhost/thanos'],
    ['registry.local:5000/team/thanos:v1', 'registry.local:5000/team/thanos:v1'],
    [`quay.io/thanos/thanos@sha256:${'a'.repeat(64)}`, `quay.io/thanos/thanos@sha256:${'a'.repeat(64)}`],
  ])('%s is %s', (image, expected) => {
    expect(normalizeImageReference(image)).toBe(expected);
  });

  it.each([
    'quay.io/prometheus/../evil',
    'quay.io/Prometheus/prometheus',
    'quay.io/prometheus/prometheus:',
    'quay.io/x@sha256:short',
    'quay.io//x',
    '-bad.io/x',
  ])('%s is not an image reference', (image) => {
    expect(normalizeImageReference(image)).toBeUndefined();
  });
});

describe('isImageAllowed', () => {
  const allowed = ['quay.io/prometheus/', 'registry.example.com/mirror', 'docker.io/grafana/grafana:12.1.1'];

  it('allows images under a prefix, at a path, tag or digest boundary', () => {
    expect(isImageAllowed('quay.io/prometheus/prometheus:v3.5.0', allowed)).toBe(true);
    expect(isImageAllowed('registry.example.com/mirror/thanos:v0.39.2', allowed)).toBe(true);
    expect(isImageAllowed('grafana/grafana:12.1.1', allowed)).toBe(true);
    expect(isImageAllowed(`docker.io/grafana/grafana:12.1.1@sha256:${'b'.repeat(64)}`, allowed)).toBe(true);
  });

  it('refuses look-alikes and what is not an image reference', () => {
    expect(isImageAllowed('registry.example.com/mirror-evil/thanos', allowed)).toBe(false);
    expect(isImageAllowed('quay.io/prometheus-fork/prometheus', allowed)).toBe(false);
    expect(isImageAllowed('docker.io/grafana/grafana:12.1.10', allowed)).toBe(false);
    expect(isImageAllowed('evil.io/quay.io/prometheus/prometheus', allowed)).toBe(false);
    expect(isImageAllowed('quay.io/prometheus/../../evil/x', allowed)).toBe(false);
  });

  it('allows anything with *', () => {
    expect(isImageAllowed('evil.io/x:latest', ['*'])).toBe(true);
  });

  it('allows the pinned images by default, and nothing from elsewhere', () => {
    expect(DEFAULT_ALLOWED_IMAGE_PREFIXES).toEqual(['quay.io/prometheus/', 'quay.io/thanos/', 'docker.io/grafana/']);
    for (const image of Object.values(DEFAULT_IMAGES)) expect(isImageAllowed(image, DEFAULT_ALLOWED_IMAGE_PREFIXES)).toBe(true);
    expect(isImageAllowed('docker.io/library/busybox', DEFAULT_ALLOWED_IMAGE_PREFIXES)).toBe(false);
    expect(isImageAllowed('ghcr.io/attacker/prometheus:v3.5.0', DEFAULT_ALLOWED_IMAGE_PREFIXES)).toBe(false);
  });
});

describe('disallowedImages', () => {
  it('names each field whose image is outside the list', () => {
    expect(disallowedImages({ prometheus: 'quay.io/prometheus/prometheus:v3.5.0', thanos: 'evil.io/thanos:v1' }, ['quay.io/prometheus/'])).toEqual([
      { path: 'spec.images.thanos', message: '"evil.io/thanos:v1" is not allowed: only images under quay.io/prometheus/ may run (--allowed-image-prefixes)' },
    ]);
  });

  it('reports a default the list excludes against the field that overrides it, and ignores components without one', () => {
    const errors = disallowedImages({ prometheus: 'registry.local/prometheus:v3' }, ['registry.local/'], {
      prometheus: DEFAULT_IMAGES.prometheus,
      thanos: DEFAULT_IMAGES.thanos,
    });
    expect(errors.map((error) => error.path)).toEqual(['spec.images.thanos']);
    expect(errors[0]?.message).toContain('the default image "quay.io/thanos/thanos:v0.39.2" is not allowed');
  });

  it('finds nothing wrong without images', () => {
    expect(disallowedImages(undefined, DEFAULT_ALLOWED_IMAGE_PREFIXES)).toEqual([]);
  });
});

describe('imagePrefixProblem', () => {
  it('accepts registry-rooted prefixes and *', () => {
    for (const prefix of ['quay.io/', 'registry.local:5000/team', 'localhost/x', '*']) expect(imagePrefixProblem(prefix)).toBeUndefined();
  });

  it('refuses prefixes without a registry host', () => {
    for (const prefix of ['grafana/', 'quay.io', '', 'prometheus']) expect(imagePrefixProblem(prefix)).toMatch(/must start with a registry host/);
  });
});

describe('parseAllowedImagePrefixes', () => {
  it('splits commas, drops blanks and duplicates, and falls back to the pinned registries', () => {
    expect(parseAllowedImagePrefixes(['registry.local/a/, registry.local/b/', 'registry.local/a/'])).toEqual({
      ok: true,
      prefixes: ['registry.local/a/', 'registry.local/b/'],
    });
    expect(parseAllowedImagePrefixes([])).toEqual({ ok: true, prefixes: [...DEFAULT_ALLOWED_IMAGE_PREFIXES] });
    expect(parseAllowedImagePrefixes([' , '])).toEqual({ ok: true, prefixes: [...DEFAULT_ALLOWED_IMAGE_PREFIXES] });
  });

  it('names an unusable prefix', () => {
    expect(parseAllowedImagePrefixes(['quay.io/', 'grafana/'])).toEqual({
      ok: false,
      message: expect.stringContaining('--allowed-image-prefixes: "grafana/" is not an image prefix') as unknown,
    });
  });
});
