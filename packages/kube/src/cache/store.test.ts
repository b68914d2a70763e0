import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../client/objects.ts';
import { DEFAULT_INDEXERS, IndexedStore } from './store.ts';

const pod = (namespace: string, name: string, labels: Record<string, string>, owner?: string): KubeObject => ({
  metadata: {
    namespace,
    name,
    labels,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: owner, controller: true }] } : {}),
  },
});

describe('IndexedStore', () => {
  it('indexes by namespace, label and owner, and keeps indexes true across updates and removals', () => {
    const store = new IndexedStore<KubeObject>(DEFAULT_INDEXERS);
    store.upsert(pod('a', 'p1', { app: 'prom' }, 'u1'));
    store.upsert(pod('a', 'p2', { app: 'query' }, 'u1'));
    store.upsert(pod('b', 'p3', { app: 'prom' }));
    expect(
      store
        .byIndex('namespace', 'a')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['p1', 'p2']);
    expect(
      store
        .byIndex('label', 'app=prom')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['p1', 'p3']);
    expect(store.byIndex('owner', 'u1')).toHaveLength(2);

    store.upsert(pod('a', 'p1', { app: 'query' }));
    expect(store.byIndex('label', 'app=prom').map((o) => o.metadata?.name)).toEqual(['p3']);
    expect(store.byIndex('owner', 'u1').map((o) => o.metadata?.name)).toEqual(['p2']);

    expect(store.remove('b/p3')?.metadata?.name).toBe('p3');
    expect(store.byIndex('label', 'app=prom')).toEqual([]);
    expect(store.size).toBe(2);
  });

  it('refuses an unknown index by name', () => {
    expect(() => new IndexedStore<KubeObject>(DEFAULT_INDEXERS).byIndex('nope', 'x')).toThrow('no index named "nope"');
  });
});
