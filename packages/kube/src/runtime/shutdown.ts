import closeWithGrace from 'close-with-grace';

import type { Logger } from '../observability/logger.ts';

/**
 * Runs `stop` once on SIGTERM, SIGINT or an uncaught error, then exits; a second signal or
 * `graceMs` passing forces the exit. Returns a function that removes the handlers, for a program
 * that ends on its own and sets its exit code.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 20_000): () => void {
  const { uninstall } = closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) logger.error({ err: err.message }, 'fatal error; shutting down');
    else logger.info({ signal }, 'signal received; shutting down');
    await stop();
  });
  return uninstall;
}
