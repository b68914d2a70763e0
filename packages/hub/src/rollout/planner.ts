import { matchesLabelSelector, parsePrometheusDuration, type Rollout, type RolloutStatus } from '@promfleet/api';

const DEFAULT_DEADLINE_MS = 10 * 60_000;

/** One selected member, as the rollout sees it. */
export interface RolloutMember {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The revision its replica is pinned to; undefined for a member that has none yet. */
  readonly revision: string | undefined;
  /** The hub can reach it (an offline member is neither moved nor counted). */
  readonly online: boolean;
  /** Its replica is Running at its pinned revision. */
  readonly available: boolean;
  /** When it was moved to its pinned revision. */
  readonly since: Date | undefined;
  /** Its replica's own words on why it is not Running. */
  readonly message?: string | undefined;
  /** Why the target revision cannot be merged for it: it stays on its revision and holds up nobody. */
  readonly blocked?: string | undefined;
}

export interface RolloutInput {
  readonly members: readonly RolloutMember[];
  /** The newest revision: the one the spec describes now. */
  readonly target: string;
  readonly rollout: Rollout;
  readonly now: Date;
  /** The rollout of `target` completed before (the last status said so). */
  readonly completed?: boolean;
}

export interface RolloutPlan {
  /** The revision each member is to run from now on. */
  readonly pins: ReadonlyMap<string, string>;
  readonly status: RolloutStatus & { state: NonNullable<RolloutStatus['state']> };
  /** The member that halted the rollout, and why. */
  readonly halted: { readonly member: string; readonly message: string } | undefined;
  /** When to look again without an event: the next progress deadline. */
  readonly requeueAfterMs: number | undefined;
}

/** `maxUnavailable` as a count of `selected` members: a percentage is rounded up, and never below 1. */
export function maxUnavailableCount(value: Rollout['maxUnavailable'], selected: number): number {
  if (typeof value === 'number') return Math.max(1, value);
  return Math.max(1, Math.ceil((Number.parseInt(value, 10) * selected) / 100));
}

/**
 * Which member runs which revision now, modelled on the DaemonSet rolling update. New members get
 * the target at once. With strategy All every member gets it. With Progressive, members move
 * wave by wave (the first wave whose selector matches; the rest last), at most maxUnavailable
 * online members not Running at a time; a member already not Running moves without waiting (so a
 * rollback repairs the failed member first). A member at the target that is not Running
 * progressDeadline after it got it halts the rollout: nothing else moves until the spec changes.
 * Offline members neither move nor count, and catch up when they return.
 */
export function planRollout({ members, target, rollout, now, completed }: RolloutInput): RolloutPlan {
  // Done stays done: a member that fails after its rollout completed is its entry's concern (it
  // leaves DNS), not a halted rollout; only a new revision, or a member left behind, starts one.
  if (completed && members.every((member) => member.revision === undefined || member.revision === target)) return complete(members, target, rollout);
  const deadlineMs = parsePrometheusDuration(rollout.progressDeadline) ?? DEFAULT_DEADLINE_MS;
  const pins = new Map(members.map((member) => [member.name, member.revision ?? target]));
  const online = members.filter((member) => member.online && member.blocked === undefined).sort((a, b) => a.name.localeCompare(b.name));
  const overdue = (member: RolloutMember) => member.since !== undefined && now.getTime() - member.since.getTime() >= deadlineMs;
  const stuck = online.find((member) => member.revision === target && !member.available && overdue(member));
  const halted = stuck
    ? {
        member: stuck.name,
        message: `${stuck.name} is not Running at revision ${target} ${rollout.progressDeadline} after it got it${stuck.message ? `: ${stuck.message}` : ''}`,
      }
    : undefined;

  const waveOf = (member: RolloutMember) => {
    const index = (rollout.waves ?? []).findIndex((wave) => matchesLabelSelector(wave.clusterSelector, member.labels));
    return index === -1 ? (rollout.waves?.length ?? 0) : index;
  };
  const behind = online.filter((member) => member.revision !== undefined && member.revision !== target);
  // The first wave with an online member not yet Running at the target: the one being rolled out.
  const notDone = online.filter((member) => member.revision !== target || !member.available);
  const wave = notDone.length === 0 ? undefined : Math.min(...notDone.map(waveOf));
  if (rollout.paused) {
    // Nothing moves; new members already have the target.
  } else if (rollout.strategy === 'All') {
    for (const member of members) if (member.blocked === undefined) pins.set(member.name, target);
  } else if (!halted) {
    for (const member of behind.filter((m) => !m.available)) pins.set(member.name, target);
    let slots = maxUnavailableCount(rollout.maxUnavailable, members.length) - online.filter((member) => !member.available).length;
    for (const member of behind.filter((m) => m.available && waveOf(m) === wave)) {
      if (slots <= 0) break;
      pins.set(member.name, target);
      slots -= 1;
    }
  }

  const updated = members.filter((member) => member.revision === target && member.available).length;
  const offline = members.filter((member) => !member.online && (member.revision !== target || !member.available)).map((member) => member.name);
  const waveName = wave === undefined || wave >= (rollout.waves?.length ?? 0) ? undefined : (rollout.waves?.[wave]?.name ?? `waves[${String(wave)}]`);
  const blocked = members.filter((member) => member.blocked !== undefined).map((member) => member.name);
  const waiting = [
    ...(offline.length > 0 ? [`; offline, to catch up when back: ${offline.join(', ')}`] : []),
    ...(blocked.length > 0 ? [`; the target revision is invalid for (see their entries): ${blocked.join(', ')}`] : []),
  ].join('');
  let state: RolloutPlan['status']['state'];
  let message: string;
  if (updated === members.length) {
    state = 'Complete';
    message = `all ${String(members.length)} members run revision ${target}`;
  } else if (halted) {
    state = 'Halted';
    message = `${halted.message}; no further member is moved until the spec changes${waiting}`;
  } else if (rollout.paused) {
    state = 'Paused';
    message = `paused with ${String(updated)}/${String(members.length)} members at revision ${target}${waiting}`;
  } else {
    state = 'Progressing';
    message = `${String(updated)}/${String(members.length)} members at revision ${target}${waveName ? ` (wave ${waveName})` : ''}${waiting}`;
  }
  // Members moved now start their deadline now.
  const started = (member: RolloutMember) => (member.revision === target ? (member.since ?? now) : now).getTime();
  const waitingOn = online.filter((member) => pins.get(member.name) === target && (member.revision !== target || (!member.available && !overdue(member))));
  const next = Math.min(...waitingOn.map((member) => started(member) + deadlineMs - now.getTime()));
  return {
    pins,
    status: {
      strategy: rollout.strategy,
      targetRevision: target,
      updated,
      pending: members.length - updated,
      ...(waveName ? { currentWave: waveName } : {}),
      state,
      message,
    },
    halted,
    requeueAfterMs: Number.isFinite(next) ? Math.max(0, next) + 100 : undefined,
  };
}

function complete(members: readonly RolloutMember[], target: string, rollout: Rollout): RolloutPlan {
  return {
    pins: new Map(members.map((member) => [member.name, target])),
    status: {
      strategy: rollout.strategy,
      targetRevision: target,
      updated: members.length,
      pending: 0,
      state: 'Complete',
      message: `all ${String(members.length)} members run revision ${target}`,
    },
    halted: undefined,
    requeueAfterMs: undefined,
  };
}
