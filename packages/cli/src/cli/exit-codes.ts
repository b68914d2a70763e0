import { isConnectionError } from '@promfleet/kube/client';
import { FlagError } from '@promfleet/kube/flags';

import { UnreachableError } from '../errors.ts';

/** The exit codes of `promfleet`, documented in --help and docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** Validation errors, a refused or failed join, API errors. */
  failure: 1,
  /** Unknown command or flag, missing or malformed argument. */
  usage: 2,
  /** A cluster (or the endpoints API) could not be reached. */
  unreachable: 3,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  failure: validation errors, a refused or failed join, API errors
  2  usage error: unknown command or flag, missing or malformed argument
  3  a cluster (or the endpoints API) could not be reached`;

/** The command line is wrong: exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function* causes(error: unknown): Generator {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && !seen.has(current); current = current instanceof Error ? current.cause : undefined) {
    seen.add(current);
    yield current;
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof FlagError) return EXIT.usage;
  for (const cause of causes(error)) {
    if (isConnectionError(cause) || cause instanceof UnreachableError) return EXIT.unreachable;
  }
  return EXIT.failure;
}

/** `promfleet: <message>` on one line, whatever the message. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `promfleet: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`;
}
