import { memberSpread } from './member-spread.ts';

/**
 * How far apart a roll call's probes go out: each member's at its own point of this window. A
 * thousand probes built in one turn of the hub's event loop were a burst on the members' API
 * servers that held up their replicas' watch events (B7's churn tail); over half a second they are
 * two a millisecond. Short against the probe timeout's budget (`probeTimeoutMs`).
 */
export const ROLL_CALL_SPREAD_MS = 500;

/** What the roll call asks of a member's liveness. */
export interface RollCallMember {
  readonly name: string;
  /** Probe within `delayMs`. */
  rollCall(delayMs: number): void;
}

export interface RollCallOptions {
  /** Milliseconds on the clock the members' liveness reports probe times in. */
  readonly now: () => number;
  /** The members to ask, read at each roll call. */
  readonly members: () => Iterable<RollCallMember>;
  /** A roll call went out (metrics, logs). */
  readonly onRollCall?: (() => void) | undefined;
}

/**
 * Failing static's view of the whole fleet at once. Members are probed each at its own phase of
 * the probe interval, so when the hub is cut off their probes fail one by one over an interval —
 * while the first member's deadline comes a few seconds after its own failed probe. The first
 * failure after an answer therefore asks every member at once: all their probes fail together, a
 * timeout later, before that first deadline, and failing static sees the cut whole rather than
 * members leaving DNS one by one. A member truly down costs one roll call whose probes answer,
 * and it leaves DNS at its deadline as before.
 *
 * A failure is covered by any roll call sent after its probe went out (that roll call saw what it
 * saw, or more): the roll call's own failures, and those of a cut already called, ask nothing.
 */
export class RollCall {
  readonly #options: RollCallOptions;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(options: RollCallOptions) {
    this.#options = options;
  }

  /** A member's probe, sent at `probeStartedAt`, failed after its last one answered. True when this called the roll. */
  lost(probeStartedAt: number): boolean {
    if (this.#lastAt >= probeStartedAt) return false;
    this.#lastAt = this.#options.now();
    for (const member of this.#options.members()) member.rollCall(Math.floor(memberSpread(member.name) * ROLL_CALL_SPREAD_MS));
    this.#options.onRollCall?.();
    return true;
  }
}
