import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../client/objects.ts';
import { ignoreStatusAndFinalizerAdded, ignoreStatusOnly, statusOnlyChange } from './predicates.ts';

const object = (metadata: KubeObject['metadata'], status?: unknown): KubeObject & { status?: unknown } => ({
  metadata: { name: 'a', namespace: 'n', resourceVersion: '1', generation: 3, labels: { x: '1' }, annotations: { y: '2' }, ...metadata },
  ...(status === undefined ? {} : { status }),
});

describe('statusOnlyChange', () => {
  it('is true when only the status and the resourceVersion moved', () => {
    expect(statusOnlyChange(object({}, { phase: 'Pending' }), object({ resourceVersion: '2' }, { phase: 'Running' }))).toBe(true);
    // Keys in another order are the same labels.
    expect(statusOnlyChange(object({ labels: { x: '1', z: '3' } }), object({ labels: { z: '3', x: '1' }, resourceVersion: '2' }))).toBe(true);
  });

  it.each([
    ['the generation (a spec change)', { generation: 4 }],
    ['a label', { labels: { x: '2' } }],
    ['an annotation', { annotations: {} }],
    ['the finalizers', { finalizers: ['f'] }],
    ['the owners', { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'o', uid: 'u' }] }],
    ['deletion', { deletionTimestamp: '2026-12-01T00:00:00Z' }],
  ])('is false when %s changed', (_what, metadata) => {
    expect(statusOnlyChange(object({}), object({ resourceVersion: '2', ...metadata }))).toBe(false);
    expect(ignoreStatusOnly(object({}), object({ resourceVersion: '2', ...metadata }))).toBe(true);
  });

  it('is false for an object without a generation: nothing proves its spec stood still', () => {
    expect(statusOnlyChange(object({ generation: undefined }), object({ generation: undefined, resourceVersion: '2' }))).toBe(false);
  });
});

describe('ignoreStatusAndFinalizerAdded', () => {
  const ignore = ignoreStatusAndFinalizerAdded('example.com/cleanup');

  it('passes over the echo of adding the finalizer, with or without a status change', () => {
    expect(ignore(object({ finalizers: ['other'] }), object({ resourceVersion: '2', finalizers: ['other', 'example.com/cleanup'] }))).toBe(false);
    expect(ignore(object({}, { phase: 'Pending' }), object({ resourceVersion: '2', finalizers: ['example.com/cleanup'] }, { phase: 'Ready' }))).toBe(false);
    expect(ignore(object({}, { phase: 'Pending' }), object({ resourceVersion: '2' }, { phase: 'Ready' }))).toBe(false);
  });

  it.each([
    ['the finalizer removed', { finalizers: ['example.com/cleanup'] }, { finalizers: [] }],
    ['another finalizer added', {}, { finalizers: ['other'] }],
    ['another finalizer added with it', {}, { finalizers: ['example.com/cleanup', 'other'] }],
    ['the spec changed with it', {}, { finalizers: ['example.com/cleanup'], generation: 4 }],
    ['a label changed with it', {}, { finalizers: ['example.com/cleanup'], labels: { x: '2' } }],
    ['deletion began with it', {}, { finalizers: ['example.com/cleanup'], deletionTimestamp: '2026-12-01T00:00:00Z' }],
  ])('acts on %s', (_what, before: KubeObject['metadata'], after: KubeObject['metadata']) => {
    expect(ignore(object(before), object({ resourceVersion: '2', ...after }))).toBe(true);
  });
});
