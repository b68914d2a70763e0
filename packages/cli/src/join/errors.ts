import { isConnectionError } from '@promfleet/kube/client';

import type { StepLog, StepScope } from '../progress.ts';

/** `created ServiceAccount monitoring/promfleet-hub, Role monitoring/promfleet-hub; issued token for …`, or '' when nothing changed. */
export function describeChanges(log: StepLog, scope: StepScope): string {
  const parts: string[] = [];
  for (const outcome of ['created', 'updated', 'issued', 'deleted'] as const) {
    const subjects = log.subjects(scope, [outcome]);
    if (subjects.length > 0) parts.push(`${outcome} ${subjects.join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * Join failed or refused. The message says what this run changed in the member and that the
 * hub has nothing, or what it has, so the user can re-run join or unjoin.
 */
export class JoinError extends Error {
  readonly member: string;
  /** What went wrong, without the account of what this run changed. */
  readonly reason: string;
  /** What this run created, updated or issued in the member, e.g. `ServiceAccount monitoring/promfleet-hub`. */
  readonly memberChanges: readonly string[];
  /** What this run wrote to the hub. Empty unless the hub itself failed midway. */
  readonly hubChanges: readonly string[];
  /** For a refusal: what the credential could do beyond its Role. */
  readonly excess: readonly string[];

  constructor(member: string, reason: string, log: StepLog, options: { cause?: unknown; excess?: readonly string[] } = {}) {
    super(`${reason}. ${aftermath(member, log)}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JoinError';
    this.member = member;
    this.reason = reason;
    this.memberChanges = log.subjects('member', ['created', 'updated', 'issued']);
    this.hubChanges = log.subjects('hub', ['created', 'updated']);
    this.excess = options.excess ?? [];
  }
}

function aftermath(member: string, log: StepLog): string {
  const inMember = describeChanges(log, 'member');
  const inHub = describeChanges(log, 'hub');
  const hub = inHub ? `In the hub: ${inHub}.` : 'Nothing was written to the hub.';
  if (!inMember) return `${hub} Nothing was changed in member ${member}.`;
  return `${hub} In member ${member}: ${inMember}; re-run the join once fixed, or remove them with \`promfleet unjoin ${member}\`.`;
}

/** Which API server a connection error came from, in the words a user knows it by. */
export function describeFailure(error: unknown, clusters: { member: string; hub: string }): string {
  if (!isConnectionError(error)) return error instanceof Error ? error.message : String(error);
  if (error.cluster === clusters.member) return `cannot reach the member API server: ${error.message}`;
  if (error.cluster === clusters.hub) return `cannot reach the hub API server: ${error.message}`;
  return `cannot reach the member API server with the hub's credential: ${error.message}`;
}
