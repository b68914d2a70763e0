/** An opaque timer handle: only the clock that returned it knows what it is. */
export type ClockTimer = object;

/** The time source of the work queue and rate limiters, injectable so tests control time. */
export interface Clock {
  /** Monotonic milliseconds: only differences are meaningful, it is not wall-clock time. */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

// Node fires a longer delay after 1 ms (TimeoutOverflowWarning); capping it makes far deadlines
// wake early instead, which callers that re-check now() (like the work queue) shrug off. A
// deadline just passed gives a negative delay (TimeoutNegativeWarning): that is "now".
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Process time; its timers are unref'd so that a pending timer never keeps a process alive. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS)).unref(),
  // realClock only ever receives the Timeout objects it returned.
  clearTimeout: (timer) => {
    clearTimeout(timer as NodeJS.Timeout);
  },
};
