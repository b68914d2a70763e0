import { readFileSync, statSync } from 'node:fs';

/**
 * The API token from a file, re-read when the file changes (a mounted Secret is updated in
 * place), so a rotated token takes effect without a restart. An empty file means no token.
 */
export function tokenFromFile(path: string): () => string | undefined {
  let cached: { mtimeMs: number; token: string | undefined } | undefined;
  return () => {
    const { mtimeMs } = statSync(path);
    if (cached?.mtimeMs !== mtimeMs) {
      const token = readFileSync(path, 'utf8').trim();
      cached = { mtimeMs, token: token === '' ? undefined : token };
    }
    return cached.token;
  };
}
