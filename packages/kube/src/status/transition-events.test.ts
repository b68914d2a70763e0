import { describe, expect, it } from 'vitest';

import type { Condition } from './conditions.ts';
import { transitionEvents } from './transition-events.ts';

const c = (type: string, status: 'True' | 'False', reason: string, message = reason): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
const benign = new Set(['TiersNotReady', 'MembersBehind']);

describe('transitionEvents', () => {
  it('warns about problems on creation but not about an object still progressing', () => {
    expect(
      transitionEvents(undefined, [c('Ready', 'False', 'TiersNotReady'), c('ConfigValid', 'True', 'Valid'), c('PersistentStorage', 'False', 'EmptyDir')], {
        benign,
      }),
    ).toEqual([{ type: 'Warning', reason: 'EmptyDir', message: 'EmptyDir' }]);
  });

  it('warns when an object that was never ready is not ready for a reason other than progress', () => {
    expect(transitionEvents(undefined, [c('Ready', 'False', 'KubeconfigInvalid', 'no contexts')], { benign })).toEqual([
      { type: 'Warning', reason: 'KubeconfigInvalid', message: 'no contexts' },
    ]);
    expect(transitionEvents([c('Ready', 'False', 'TiersNotReady')], [c('Ready', 'False', 'SpecInvalid', 'bad')], { benign })).toEqual([
      { type: 'Warning', reason: 'SpecInvalid', message: 'bad' },
    ]);
    // Without a benign set every False reason is a problem.
    expect(transitionEvents(undefined, [c('Ready', 'False', 'TiersNotReady')])).toEqual([
      { type: 'Warning', reason: 'TiersNotReady', message: 'TiersNotReady' },
    ]);
  });

  it('reports reaching Ready and losing it, even to a progressing reason', () => {
    expect(transitionEvents([c('Ready', 'False', 'TiersNotReady')], [c('Ready', 'True', 'AllTiersReady')], { benign })).toEqual([
      { type: 'Normal', reason: 'AllTiersReady', message: 'AllTiersReady' },
    ]);
    expect(transitionEvents([c('Ready', 'True', 'AllTiersReady')], [c('Ready', 'False', 'TiersNotReady', 'prometheus 1/2 ready')], { benign })).toEqual([
      { type: 'Warning', reason: 'TiersNotReady', message: 'prometheus 1/2 ready' },
    ]);
  });

  it('stays quiet when another condition moves to a progressing reason', () => {
    expect(
      transitionEvents([c('Propagated', 'True', 'AllMembersCurrent')], [c('Propagated', 'False', 'MembersBehind', 'not yet at generation 2')], { benign }),
    ).toEqual([]);
  });

  it('reports a broken input and its recovery, once each', () => {
    const broken = [c('ConfigValid', 'False', 'ConfigMapNotFound')];
    expect(transitionEvents([c('ConfigValid', 'True', 'Valid')], broken)).toEqual([
      { type: 'Warning', reason: 'ConfigMapNotFound', message: 'ConfigMapNotFound' },
    ]);
    expect(transitionEvents(broken, broken)).toEqual([]);
    expect(transitionEvents(broken, [c('ConfigValid', 'True', 'Valid')])).toEqual([{ type: 'Normal', reason: 'Valid', message: 'Valid' }]);
  });
});
