import { errorMessage } from '@promfleet/kube/client';

/** A named property of the fleet: undefined while it holds, else what is wrong. */
export type Invariant = () => Promise<string | undefined>;

export interface InvariantMonitor {
  /** `name: problem` for every failed check, in order. */
  readonly violations: readonly string[];
  /** How many rounds of checks ran. */
  readonly rounds: number;
  stop(): Promise<void>;
}

/**
 * Checks every invariant again and again, `intervalMs` apart, until stopped, and keeps what it
 * saw fail: for properties that must hold *throughout* a fault, not just after it.
 */
export function monitorInvariants(invariants: Readonly<Record<string, Invariant>>, intervalMs = 500): InvariantMonitor {
  const violations: string[] = [];
  const state = { rounds: 0, stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const results = await Promise.all(
        Object.entries(invariants).map(async ([name, invariant]) => {
          try {
            const problem = await invariant();
            return problem === undefined ? undefined : `${name}: ${problem}`;
          } catch (error) {
            return `${name}: ${errorMessage(error)}`;
          }
        }),
      );
      const at = new Date().toISOString();
      for (const problem of results) if (problem !== undefined) violations.push(`${at} ${problem}`);
      state.rounds++;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    violations,
    get rounds() {
      return state.rounds;
    },
    async stop() {
      state.stopped = true;
      await loop;
    },
  };
}
