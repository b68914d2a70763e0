import type { MemberEntry, PrometheusCluster } from '@promfleet/api';
import type { EventRecorder } from '@promfleet/kube/status';

import { memberReach, type MemberReach } from './fail-static.ts';
import { memberEntry, type MemberView } from './member-entry.ts';
import { vetMemberReport, withReportProblem, type MemberReport } from './member-report.ts';
import { noOperatorDeadline, noOperatorMessage } from './no-operator.ts';

/** One member's part of a PrometheusCluster's status: what the hub saw there and what it makes of it. */
export interface MemberOutcome {
  readonly view: MemberView;
  /** What was wrong with what the member reported (its vetted report itself is in the entry). */
  readonly report: Pick<MemberReport, 'unpublishable' | 'unusable'>;
  readonly entry: MemberEntry;
  readonly reach: MemberReach;
}

/**
 * A member's entry from its view: the same for a full pass over the PrometheusCluster and for one
 * member whose replica status changed, so the two can never disagree.
 */
export function memberOutcome(
  view: MemberView,
  previous: MemberEntry | undefined,
  lastProbeFailed: boolean,
  now: Date,
  noOperatorAfterMs: number,
): MemberOutcome {
  const report = vetMemberReport(view.replica);
  const noOperator = noOperatorMessage(report.replica, view.name, now, noOperatorAfterMs);
  const entry = withReportProblem(
    memberEntry({ ...view, replica: report.replica, applyError: view.applyError ?? report.unusable, noOperator }, previous),
    report,
  );
  // Not the vetted copy of the replica: the aggregate of a thousand members keeps only what it reads again.
  const problems = { unpublishable: report.unpublishable, unusable: report.unusable };
  return { view, report: problems, entry, reach: memberReach(view, lastProbeFailed) };
}

/** When this member's replica, still unreconciled, turns NoOperator (undefined: not waiting). */
export function noOperatorDue(outcome: MemberOutcome, now: Date, noOperatorAfterMs: number): number | undefined {
  const deadline = noOperatorDeadline(outcome.view.replica, noOperatorAfterMs)?.getTime();
  return deadline !== undefined && deadline > now.getTime() ? deadline : undefined;
}

/** A Warning Event for each member whose report newly became unusable or unpublishable. */
export async function reportNewProblems(
  events: EventRecorder,
  cluster: PrometheusCluster,
  outcomes: readonly MemberOutcome[],
  previous: ReadonlyMap<string, MemberEntry>,
): Promise<void> {
  for (const { entry, report } of outcomes) {
    const problem = report.unpublishable ?? report.unusable;
    if (problem === undefined || previous.get(entry.name)?.message === entry.message) continue;
    await events.record(cluster, 'Warning', 'InvalidMemberReport', `${entry.name}: ${problem}`);
  }
}
