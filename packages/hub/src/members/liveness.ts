import type { Clock, ClockTimer } from '@promfleet/kube/queue';

/** What the liveness loop asks for: the cheap probe, or the full access review. */
export type ProbeKind = 'probe' | 'review';

export interface LivenessOptions {
  /** Wall-clock milliseconds (reports carry dates), with timers. */
  readonly clock: Clock;
  /** With no sign of life for this long, the next tick probes. */
  readonly probeIntervalMs: number;
  /** This member's own phase: its census comes this long after each multiple of the probe interval (below it). */
  readonly censusOffsetMs?: number | undefined;
  /** The full review runs at connect, then this often. */
  readonly reviewIntervalMs: number;
  /** With no sign of life for this long, the member is silent (Offline). */
  readonly offlineAfterMs: number;
  /** Runs one probe or review; resolves true when the member answered it well. Never rejects. */
  readonly probe: (kind: ProbeKind) => Promise<boolean>;
  /** The member went silent (true) or was heard from again (false). */
  readonly onSilentChange: (silent: boolean) => void;
  /**
   * A probe or review failed after the one before it answered; it went out at `probeStartedAt`
   * (for a roll call's probe: when the roll call asked for it). What the fleet's roll call listens
   * for (`RollCall`).
   */
  readonly onLost?: ((probeStartedAt: number) => void) | undefined;
  /** When the credential expires: the first tick after it probes even if the member talks. */
  readonly expiresAt?: number | undefined;
  readonly random?: () => number;
}

/**
 * A failed probe is retried after 2 s, 4 s and 8 s (never later than the probe interval), then at
 * the probe interval; a silent member only at the census: by then it is Offline, or answers but
 * refuses the credential, which retrying faster does not mend.
 */
const RETRY_DELAYS_MS = [2_000, 4_000, 8_000] as const;

/** The first probe time after `now`: the multiples of the interval on the wall clock, plus the member's phase. */
export function nextProbeTime(now: number, probeIntervalMs: number, offsetMs = 0): number {
  return (Math.floor((now - offsetMs) / probeIntervalMs) + 1) * probeIntervalMs + offsetMs;
}

/**
 * When a member was last heard from, and what that calls for. Every answer through the member's
 * credential (`contact`) moves its last sign of life; two timers act on it:
 * - the deadline, at last contact + offline-after: reached, the member is silent — within
 *   offline-after of its last sign of life, not a probe interval later. Contact does not touch
 *   the timer (it is one assignment, made for every watch chunk); the timer re-arms itself when it
 *   finds contact has moved on.
 * - the census: every member is asked ONE cheap probe per probe interval, at its own phase of the
 *   interval (a thousand members: about thirty probes a second, never a burst). A failed probe is
 *   retried after a few seconds until it succeeds (or the member is silent, then at its census).
 *   The full review runs at connect and every review interval, beside the census probe, never in
 *   its place: the census is what failing static rests on.
 *
 * A hub cut off from its members sees its members' probes fail one by one over an interval, each
 * a few seconds before that member's deadline. So that failing static still sees the cut whole,
 * the first probe that fails after an answer calls `onLost`, and the fleet's roll call asks every
 * member at once (`rollCall`): their probes all fail before the first member's deadline
 * (`probeTimeoutMs`).
 */
export class Liveness {
  readonly #options: LivenessOptions;
  readonly #connectedAt: number;
  #nextCensus: number;
  #lastContact: number | undefined;
  #silent = false;
  #deadline: ClockTimer | undefined;
  #tick: ClockTimer | undefined;
  #probing = false;
  #stopped = false;
  /** The last probe or review failed: retry soon, whatever the contact. */
  #failures = 0;
  #nextReview: number;
  #forceProbe = false;
  #expiryChecked: boolean;
  /** The last probe or review answered well: its next failure is news for the roll call. */
  #answering = false;
  /** When a roll call asked for the next probe: that probe answers for the roll call. */
  #rollCalledAt: number | undefined;

  constructor(options: LivenessOptions) {
    this.#options = options;
    this.#connectedAt = options.clock.now();
    this.#nextReview = this.#connectedAt;
    this.#nextCensus = this.#censusAfter(this.#connectedAt);
    this.#expiryChecked = options.expiresAt === undefined;
  }

  /** The last sign of life, in clock milliseconds. */
  get lastContact(): number | undefined {
    return this.#lastContact;
  }

  get connectedAt(): number {
    return this.#connectedAt;
  }

  get silent(): boolean {
    return this.#silent;
  }

  /** Starts with a review at once; the deadline counts from now until the first contact. */
  start(): void {
    this.#armDeadline();
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#deadline) this.#options.clock.clearTimeout(this.#deadline);
    if (this.#tick) this.#options.clock.clearTimeout(this.#tick);
  }

  /** The member answered. Called for every watch chunk: O(1), no timer work unless it was silent. */
  contact(): void {
    this.#lastContact = this.#options.clock.now();
    if (this.#silent && !this.#stopped) {
      this.#silent = false;
      this.#armDeadline();
      this.#options.onSilentChange(false);
    }
  }

  /**
   * The fleet's roll call: probe within `delayMs` (this member's place in the roll call's spread).
   * A member with a probe in flight is skipped: that probe went out before the roll call and
   * fails if the hub is cut off.
   */
  rollCall(delayMs: number): void {
    if (this.#stopped || this.#probing || this.#forceProbe) return;
    this.#forceProbe = true;
    this.#rollCalledAt = this.#options.clock.now();
    this.#schedule(delayMs);
  }

  /** Something suggests the credential no longer works (a 401 or 403): probe now rather than at the next tick. */
  suspect(): void {
    if (this.#stopped || this.#forceProbe) return;
    this.#forceProbe = true;
    if (!this.#probing) this.#schedule(0);
  }

  #since(): number {
    return this.#lastContact ?? this.#connectedAt;
  }

  #armDeadline(): void {
    const { clock, offlineAfterMs } = this.#options;
    if (this.#deadline) clock.clearTimeout(this.#deadline);
    this.#deadline = clock.setTimeout(
      () => {
        this.#deadline = undefined;
        if (this.#stopped) return;
        if (clock.now() - this.#since() < offlineAfterMs) {
          this.#armDeadline();
          return;
        }
        // Re-armed by the next contact.
        this.#silent = true;
        this.#options.onSilentChange(true);
      },
      this.#since() + offlineAfterMs - clock.now(),
    );
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    const { clock } = this.#options;
    if (this.#tick) clock.clearTimeout(this.#tick);
    this.#tick = clock.setTimeout(() => {
      this.#tick = undefined;
      void this.#onTick();
    }, delayMs);
  }

  /** What this tick does: a review, a probe, or nothing but waking again when one is due. */
  #due(now: number): { run: ProbeKind } | { wakeInMs: number } {
    const { expiresAt } = this.#options;
    const census = now >= this.#nextCensus;
    if (census) this.#nextCensus = this.#censusAfter(now);
    // A silent member that keeps failing is asked at the census only: a dead member costs one request per interval.
    const waiting = this.#silent && this.#failures > 0 && !census && !this.#forceProbe;
    if (!waiting) {
      // The census probe and the roll call's go first: a due review waits behind them.
      if (census || this.#forceProbe) return { run: 'probe' };
      if (now >= this.#nextReview) return { run: 'review' };
      // A retry's delay was chosen when it was scheduled.
      if (this.#failures > 0) return { run: 'probe' };
    }
    if (!this.#expiryChecked && expiresAt !== undefined && now >= expiresAt) return { run: 'probe' };
    const wakeAt = Math.min(this.#nextCensus, waiting ? Infinity : this.#nextReview, !this.#expiryChecked && expiresAt !== undefined ? expiresAt : Infinity);
    return { wakeInMs: wakeAt - now };
  }

  async #onTick(): Promise<void> {
    if (this.#stopped || this.#probing) return;
    const { clock, probeIntervalMs, reviewIntervalMs, expiresAt } = this.#options;
    const due = this.#due(clock.now());
    if ('wakeInMs' in due) {
      this.#schedule(due.wakeInMs);
      return;
    }
    this.#probing = true;
    this.#forceProbe = false;
    const startedAt = clock.now();
    // The roll call's own probe (or a census that came first): its failure is the roll call's news, not new news.
    const sentFor = this.#rollCalledAt ?? startedAt;
    this.#rollCalledAt = undefined;
    if (expiresAt !== undefined && startedAt >= expiresAt) this.#expiryChecked = true;
    const ok = await this.#options.probe(due.run);
    this.#probing = false;
    const lost = this.#answering && !ok;
    this.#answering = ok;
    // Stopped meanwhile: #schedule and contact() do nothing more, and a probe cut short by the stop is no news.
    if (lost && this.#active()) this.#options.onLost?.(sentFor);
    if (ok) {
      // An answer is a sign of life whether or not its transport reported it.
      this.contact();
      this.#failures = 0;
      if (due.run === 'review') this.#nextReview = startedAt + reviewIntervalMs * (0.9 + this.#random() * 0.2);
      this.#schedule(0);
      return;
    }
    this.#failures++;
    // A failed review is retried as a review: its findings are what is missing.
    if (due.run === 'review') this.#nextReview = startedAt;
    this.#schedule(this.#silent ? 0 : Math.min(RETRY_DELAYS_MS[this.#failures - 1] ?? probeIntervalMs, probeIntervalMs));
  }

  /** This member's first census after `time`. */
  #censusAfter(time: number): number {
    return nextProbeTime(time, this.#options.probeIntervalMs, this.#options.censusOffsetMs);
  }

  /** Not stopped (a method: a probe's await may have stopped it). */
  #active(): boolean {
    return !this.#stopped;
  }

  #random(): number {
    return (this.#options.random ?? Math.random)();
  }
}
