import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that may hold credentials anywhere in a log line. Controllers never log Secrets or
 * kubeconfigs on purpose; this is the net under that rule.
 */
const REDACTED_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'password',
  '*.password',
  'kubeconfig',
  '*.kubeconfig',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*["client-key-data"]',
  '*.*["client-key-data"]',
  '*["client-certificate-data"]',
];

export interface LoggerOptions {
  readonly level?: LevelWithSilent | undefined;
  /** The component: `promfleet-hub`, `promfleet-replica-operator`. */
  readonly name: string;
  readonly destination?: DestinationStream;
}

/** JSON logs, one object per line, credentials redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
