import type { PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { memberView } from '../../test/member-view.ts';
import type { MemberView } from './member-entry.ts';
import { memberOutcome, type MemberOutcome } from './member-outcome.ts';
import { awaitsReport, startReportWait, stillWaiting } from './report-wait.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const WAIT_MS = 1_000;

/** A replica at generation 2 whose operator last reported on `observedGeneration` (no status: never reported). */
const replica = (observedGeneration?: unknown): PrometheusReplica =>
  ({
    metadata: { name: 'fleet', namespace: 'monitoring', generation: 2, creationTimestamp: new Date(NOW).toISOString() },
    ...(observedGeneration === undefined ? {} : { status: { phase: 'Running', observedGeneration } }),
  }) as unknown as PrometheusReplica;

const outcome = (name: string, view: Partial<MemberView>): MemberOutcome =>
  memberOutcome(memberView({ name, ...view }), undefined, false, new Date(NOW), 60_000);

describe('awaitsReport', () => {
  it('waits for a report on the generation the pass applied, from a member the hub can reach', () => {
    expect(awaitsReport(memberView({ replica: replica(), expectedGeneration: 2 }))).toBe(true);
    expect(awaitsReport(memberView({ replica: replica(1), expectedGeneration: 2 }))).toBe(true);
    expect(awaitsReport(memberView({ replica: replica(2), expectedGeneration: 2 }))).toBe(false);
    expect(awaitsReport(memberView({ replica: replica(3), expectedGeneration: 2 }))).toBe(false);
  });

  it('waits for nothing the pass did not change, nor for a member it cannot reach', () => {
    expect(awaitsReport(memberView({ replica: replica() }))).toBe(false);
    const offline = { state: 'offline', message: 'no answer', lastSeen: undefined } as const;
    expect(awaitsReport(memberView({ replica: replica(), expectedGeneration: 2, reachability: offline }))).toBe(false);
  });

  it('takes only a number as a report: a member writing anything else into observedGeneration has not reported', () => {
    for (const hostile of ['99', null, { generation: 99 }, [99]])
      expect(awaitsReport(memberView({ replica: replica(hostile), expectedGeneration: 2 }))).toBe(true);
  });
});

describe('startReportWait', () => {
  it('holds the write for the wait while a changed member has not reported, naming only those', () => {
    const outcomes = [
      outcome('eu', { replica: replica(), expectedGeneration: 2 }),
      outcome('us', { replica: replica(2), expectedGeneration: 2 }),
      outcome('ap', { replica: replica(1) }),
    ];
    const wait = startReportWait(outcomes, undefined, NOW, WAIT_MS);
    expect(wait?.until).toBe(NOW + WAIT_MS);
    expect([...(wait?.awaited ?? [])]).toEqual(['eu']);
  });

  it('writes at once when every changed member has reported, or nothing changed', () => {
    expect(startReportWait([outcome('eu', { replica: replica(2), expectedGeneration: 2 })], undefined, NOW, WAIT_MS)).toBeUndefined();
    expect(startReportWait([outcome('eu', { replica: replica(1) })], undefined, NOW, WAIT_MS)).toBeUndefined();
  });

  it('keeps the end of the wait an earlier pass started, so passes in a row hold a status no longer than one wait', () => {
    const changed = [outcome('eu', { replica: replica(), expectedGeneration: 2 })];
    const first = startReportWait(changed, undefined, NOW, WAIT_MS);
    expect(startReportWait(changed, first, NOW + 600, WAIT_MS)?.until).toBe(NOW + WAIT_MS);
    expect(startReportWait(changed, first, NOW + WAIT_MS, WAIT_MS)).toBeUndefined();
  });
});

describe('stillWaiting', () => {
  it('waits until every awaited member has reported, or until the wait ends', () => {
    const outcomes = new Map([
      ['eu', outcome('eu', { replica: replica(), expectedGeneration: 2 })],
      ['us', outcome('us', { replica: replica(), expectedGeneration: 2 })],
    ]);
    const wait = startReportWait(outcomes.values(), undefined, NOW, WAIT_MS);
    if (!wait) throw new Error('no wait');
    // eu reports; us has not: still waiting, for us alone.
    outcomes.set('eu', outcome('eu', { replica: replica(2), expectedGeneration: 2 }));
    expect(stillWaiting(wait, outcomes, ['eu'], NOW + 100)).toBe(true);
    expect([...wait.awaited]).toEqual(['us']);
    // A change that is no report on the new generation waits on.
    expect(stillWaiting(wait, outcomes, ['us'], NOW + 200)).toBe(true);
    expect(stillWaiting(wait, outcomes, [], NOW + WAIT_MS)).toBe(false);
    outcomes.set('us', outcome('us', { replica: replica(2), expectedGeneration: 2 }));
    expect(stillWaiting(wait, outcomes, ['us'], NOW + 300)).toBe(false);
    expect(wait.awaited.size).toBe(0);
  });

  it('stops waiting for a member that left the selection', () => {
    const outcomes = new Map([['eu', outcome('eu', { replica: replica(), expectedGeneration: 2 })]]);
    const wait = startReportWait(outcomes.values(), undefined, NOW, WAIT_MS);
    if (!wait) throw new Error('no wait');
    outcomes.delete('eu');
    expect(stillWaiting(wait, outcomes, ['eu'], NOW + 100)).toBe(false);
  });
});
