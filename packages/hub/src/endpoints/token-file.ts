import { readFileSync, statSync } from 'node:fs';

import { errorMessage } from '@promfleet/kube/client';
import type { Logger } from '@promfleet/kube/observability';

/** The token file cannot be used at startup: the process must not serve the API without it. */
export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

function readToken(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/**
 * The API token from a file, re-read when the file changes (a mounted Secret is updated in
 * place), so a rotated token takes effect without a restart. A file that is empty (or only
 * whitespace) never means "no token": at startup it is an error, and later — a Secret being
 * rewritten, an editor truncating it — the last token stays in force and an error is logged.
 */
export function tokenFromFile(path: string, logger: Logger): () => string {
  let token: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    token = readToken(path);
  } catch (error) {
    throw new TokenFileError(`cannot read the API token file ${path}: ${errorMessage(error)}`);
  }
  if (token === '')
    throw new TokenFileError(`the API token file ${path} is empty: put the bearer token the endpoints API requires in it (an empty file is never "no token")`);
  // Logged once per problem, not once per request.
  let failing: string | undefined;
  return () => {
    try {
      const now = statSync(path).mtimeMs;
      if (now === mtimeMs) return token;
      mtimeMs = now;
      const next = readToken(path);
      if (next === '') logger.error({ file: path }, 'the API token file became empty; still requiring the previous token');
      else token = next;
      failing = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (failing !== message) logger.error({ file: path, err: message }, 'cannot read the API token file; still requiring the previous token');
      failing = message;
    }
    return token;
  };
}
