import type { ParsedFlags } from '@promfleet/kube/flags';
import { readTlsPair, TlsFilesError, type Logger, type TlsFiles } from '@promfleet/kube/observability';

import { TokenFileError, tokenFromFile } from './endpoints/token-file.ts';
import type { WatchLimits } from './endpoints/watch-stream.ts';
import type { HUB_FLAGS } from './flags.ts';

/** How the endpoints API is served, from flags: the same for the hub and `promfleet-hub api`. */
export interface ApiSettings {
  readonly apiToken: (() => string) | undefined;
  readonly apiWatch: Partial<WatchLimits>;
  readonly tls: TlsFiles | undefined;
}

/** A flag combination or file that must stop the process before it serves anything. */
export class ApiSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiSettingsError';
  }
}

/** Reads the token and TLS files once (errors name the file and the flag) and the watch limits. */
export function apiSettings(flags: ParsedFlags<typeof HUB_FLAGS>, logger: Logger): ApiSettings {
  const certFile = flags['tls-cert-file'];
  const keyFile = flags['tls-key-file'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ApiSettingsError('--tls-cert-file and --tls-key-file go together');
  if (flags['api-max-watchers'] < 1) throw new ApiSettingsError('--api-max-watchers must be at least 1');
  if (flags['api-watch-buffer'] < 1024) throw new ApiSettingsError('--api-watch-buffer must be at least 1Ki');
  try {
    const tls = certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined;
    if (tls) readTlsPair(tls);
    return {
      apiToken: flags['api-token-file'] === undefined ? undefined : tokenFromFile(flags['api-token-file'], logger),
      apiWatch: { bufferBytes: flags['api-watch-buffer'], maxWatchers: flags['api-max-watchers'] },
      tls,
    };
  } catch (error) {
    if (error instanceof TokenFileError || error instanceof TlsFilesError) throw new ApiSettingsError(error.message);
    throw error;
  }
}
