import type { KubeObject } from '@promfleet/kube/client';
import { describe, expect, it } from 'vitest';

import { freshest, markedDeleted } from './child-sync.ts';

const set = (generation: number, uid = 'u1', extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'main-prometheus', namespace: 'eu', uid, generation, ...extra },
});

describe('freshest', () => {
  it('takes what this reconcile wrote over a cached copy of an older generation', () => {
    const written = new Map([['StatefulSet/main-prometheus', set(3)]]);
    expect(freshest([set(2)], 'StatefulSet', written)[0]?.metadata?.generation).toBe(3);
  });

  it('keeps the cached copy once it has caught up, or is of another object of the same name', () => {
    expect(
      freshest([set(3, 'u1', { resourceVersion: 'cached' })], 'StatefulSet', new Map([['StatefulSet/main-prometheus', set(3)]]))[0]?.metadata?.resourceVersion,
    ).toBe('cached');
    expect(freshest([set(1, 'u2')], 'StatefulSet', new Map([['StatefulSet/main-prometheus', set(3, 'u1')]]))[0]?.metadata?.uid).toBe('u2');
    expect(freshest([set(1)], 'Deployment', new Map([['StatefulSet/main-prometheus', set(3)]]))[0]?.metadata?.generation).toBe(1);
  });

  it('sees a child this reconcile deleted as being deleted, though the cache has it alive', () => {
    const [fresh] = freshest([set(2)], 'StatefulSet', new Map([['StatefulSet/main-prometheus', markedDeleted(set(2))]]));
    expect(fresh?.metadata?.deletionTimestamp).toEqual(expect.any(String));
  });
});
