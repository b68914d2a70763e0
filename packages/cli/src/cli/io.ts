/** Where a command writes and what it reads from its environment; tests pass their own. */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** For `PROMFLEET_*` flag values. Kubeconfig discovery (KUBECONFIG) reads the process environment, as kubectl does. */
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
}

export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    now: () => new Date(),
  };
}
