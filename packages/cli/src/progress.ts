/**
 * What join and unjoin report as they go. The library functions never print: they call
 * `onProgress` with one step per object or check, and the CLI formats each step as a line.
 */

export type StepScope = 'member' | 'hub';

export type StepOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'exists'
  | 'checked'
  | 'issued'
  | 'kept'
  | 'verified'
  | 'deleted'
  /** A token the member now rejects. */
  | 'revoked'
  /** Deletion requested; a finalizer still holds the object. */
  | 'deleting'
  | 'absent'
  | 'left';

export interface Step {
  readonly scope: StepScope;
  /** What the step is about: `ServiceAccount monitoring/promfleet-hub`, `token`, `credential`. */
  readonly subject: string;
  readonly outcome: StepOutcome;
  /** Why, or what was found: never a token or a Secret's content. */
  readonly detail?: string;
}

export type ProgressListener = (step: Step) => void;

/** `[member eu-west] ServiceAccount monitoring/promfleet-hub: created`, `[hub] MemberCluster eu-west: unchanged`. */
export function formatStep(step: Step, member: string): string {
  const where = step.scope === 'member' ? `[member ${member}]` : '[hub]';
  return `${where} ${step.subject}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''}`;
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped objects: how steps and errors name objects. */
export function describeObject(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/** Collects steps while forwarding them, so a result or an error can say what happened. */
export class StepLog {
  readonly steps: Step[] = [];
  readonly #listener: ProgressListener | undefined;

  constructor(listener: ProgressListener | undefined) {
    this.#listener = listener;
  }

  record(step: Step): void {
    this.steps.push(step);
    this.#listener?.(step);
  }

  /** Subjects in one scope whose outcome is one of `outcomes`, in the order they happened. */
  subjects(scope: StepScope, outcomes: readonly StepOutcome[]): string[] {
    return this.steps.filter((step) => step.scope === scope && outcomes.includes(step.outcome)).map((step) => step.subject);
  }

  count(outcome: StepOutcome): number {
    return this.steps.filter((step) => step.outcome === outcome).length;
  }
}
