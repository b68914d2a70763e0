import type { MemberView } from './member-entry.ts';
import type { MemberOutcome } from './member-outcome.ts';

/**
 * How long a full pass's status write waits for the operators' first reports on the replicas the
 * pass changed (`--report-wait`). Without it a fan-out's status goes out at the end of the pass
 * and again for each handful of reports that follows it: at a hundred members, three to five
 * writes of the whole status within a few hundred milliseconds. With it, one write once the last
 * of them is in.
 */
export const DEFAULT_REPORT_WAIT = '1s';

/** A full pass's status write, held for the members' first reports on what it changed. */
export interface ReportWait {
  /** When the write goes out whatever is still missing (epoch ms). */
  readonly until: number;
  /** Members whose report is still awaited; shrinks as they report. */
  readonly awaited: Set<string>;
}

/**
 * The pass changed the member's replica (a new generation) and its operator has not reported on
 * that generation yet, while the hub can reach the member. The report is the member's word, so
 * only a number at or past the generation ends the wait; a member that never reports holds the
 * write only until the wait's end.
 */
export function awaitsReport(view: MemberView): boolean {
  if (view.expectedGeneration === undefined || view.reachability.state !== 'ready') return false;
  const observed: unknown = view.replica?.status?.observedGeneration;
  return !(typeof observed === 'number' && observed >= view.expectedGeneration);
}

/**
 * The wait a full pass's status write starts (undefined: write now): while a member the pass
 * changed has yet to report, for `waitMs` — counted from the wait of the pass it follows, if that
 * one's status is still unwritten, so passes in a row never hold a status back longer than that.
 */
export function startReportWait(outcomes: Iterable<MemberOutcome>, unwritten: ReportWait | undefined, now: number, waitMs: number): ReportWait | undefined {
  const awaited = new Set<string>();
  for (const { view } of outcomes) if (awaitsReport(view)) awaited.add(view.name);
  const until = unwritten?.until ?? now + waitMs;
  return awaited.size > 0 && until > now ? { until, awaited } : undefined;
}

/** Takes in the members whose outcome changed; whether the write still waits at `now`. */
export function stillWaiting(wait: ReportWait, outcomes: ReadonlyMap<string, MemberOutcome>, changed: Iterable<string>, now: number): boolean {
  for (const name of changed) {
    const outcome = outcomes.get(name);
    if (!outcome || !awaitsReport(outcome.view)) wait.awaited.delete(name);
  }
  return wait.awaited.size > 0 && now < wait.until;
}
