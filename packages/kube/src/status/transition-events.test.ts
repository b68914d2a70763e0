import type { Condition } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { transitionEvents } from './transition-events.ts';

const c = (type: string, status: 'True' | 'False', reason: string, message = reason): Condition => ({ type, status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' });

describe('transitionEvents', () => {
  it('warns about problems on creation but not about a replica still starting', () => {
    expect(transitionEvents(undefined, [c('Ready', 'False', 'TiersNotReady'), c('ConfigValid', 'True', 'Valid'), c('PersistentStorage', 'False', 'EmptyDir')])).toEqual([
      { type: 'Warning', reason: 'EmptyDir', message: 'EmptyDir' },
    ]);
  });

  it('reports reaching Ready and losing it', () => {
    expect(transitionEvents([c('Ready', 'False', 'TiersNotReady')], [c('Ready', 'True', 'AllTiersReady')])).toEqual([{ type: 'Normal', reason: 'AllTiersReady', message: 'AllTiersReady' }]);
    expect(transitionEvents([c('Ready', 'True', 'AllTiersReady')], [c('Ready', 'False', 'TiersNotReady', 'prometheus 1/2 ready')])).toEqual([
      { type: 'Warning', reason: 'TiersNotReady', message: 'prometheus 1/2 ready' },
    ]);
  });

  it('reports a broken input and its recovery, once each', () => {
    const broken = [c('ConfigValid', 'False', 'ConfigMapNotFound')];
    expect(transitionEvents([c('ConfigValid', 'True', 'Valid')], broken)).toEqual([{ type: 'Warning', reason: 'ConfigMapNotFound', message: 'ConfigMapNotFound' }]);
    expect(transitionEvents(broken, broken)).toEqual([]);
    expect(transitionEvents(broken, [c('ConfigValid', 'True', 'Valid')])).toEqual([{ type: 'Normal', reason: 'Valid', message: 'Valid' }]);
  });
});
