import type { ConditionUpdate } from '@promfleet/kube/status';

import type { ClaimProblem, ClaimProblemKind } from '../storage/claims-plan.ts';
import { CONDITIONS, REASONS } from './conditions.ts';

const REASON: Record<ClaimProblemKind, string> = {
  refused: REASONS.expansionRefused,
  shrink: REASONS.shrinkNotSupported,
  class: REASONS.storageClassDiffers,
  resizing: REASONS.resizing,
};
// The most actionable first.
const ORDER: readonly ClaimProblemKind[] = ['refused', 'shrink', 'class', 'resizing'];

/** StorageUpToDate: whether every existing claim has the size and class its template asks for. */
export function storageCondition(problems: readonly ClaimProblem[]): ConditionUpdate {
  const type = CONDITIONS.storageUpToDate;
  if (problems.length === 0) return { type, status: 'True', reason: REASONS.claimsMatchSpec, message: 'every claim has the size and class of its template' };
  const worst = ORDER.find((kind) => problems.some((problem) => problem.kind === kind)) ?? 'resizing';
  const message = [...problems]
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.claim.localeCompare(b.claim))
    .map((problem) => problem.message)
    .join('; ');
  return { type, status: 'False', reason: REASON[worst], message };
}
