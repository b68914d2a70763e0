import type { Status } from './objects.ts';

/** An API server answer other than 2xx, with the Status it sent. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  readonly status: Status | undefined;
  readonly cluster: string;

  constructor(cluster: string, code: number, status: Status | undefined, what: string) {
    super(`${cluster}: ${what}: ${String(code)}${status?.reason ? ` ${status.reason}` : ''}${status?.message ? `: ${status.message}` : ''}`);
    this.name = 'KubeApiError';
    this.cluster = cluster;
    this.code = code;
    this.reason = status?.reason;
    this.status = status;
  }
}

/** The API server could not be reached or did not answer in time. */
export class KubeConnectionError extends Error {
  readonly cluster: string;
  readonly timedOut: boolean;

  constructor(cluster: string, what: string, cause: unknown, timedOut: boolean) {
    super(`${cluster}: ${what}: ${timedOut ? 'timed out' : describeCause(cause)}`, { cause });
    this.name = 'KubeConnectionError';
    this.cluster = cluster;
    this.timedOut = timedOut;
  }
}

/** An answer larger than the client accepts from that server (a hostile or broken member). */
export class KubeResponseTooLargeError extends Error {
  readonly cluster: string;

  constructor(cluster: string, what: string, limitBytes: number, part: 'response body' | 'watch event') {
    super(`${cluster}: ${what}: the ${part} is larger than ${formatBytes(limitBytes)}; refused`);
    this.name = 'KubeResponseTooLargeError';
    this.cluster = cluster;
  }
}

function formatBytes(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${String(bytes / 2 ** 20)} MiB` : bytes % 1024 === 0 ? `${String(bytes / 1024)} KiB` : `${String(bytes)} bytes`;
}

/** A write attempted by a process that does not hold the leader Lease. */
export class NotLeaderError extends Error {
  constructor(cluster: string, what: string) {
    super(`${cluster}: ${what}: refused, this process is not the leader`);
    this.name = 'NotLeaderError';
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

const codeOf = (error: unknown): number | undefined => (error instanceof KubeApiError ? error.code : undefined);

export const isNotFound = (error: unknown): boolean => codeOf(error) === 404;
export const isConflict = (error: unknown): boolean => codeOf(error) === 409;
export const isGone = (error: unknown): boolean => codeOf(error) === 410;
export const isForbidden = (error: unknown): boolean => codeOf(error) === 403;
export const isUnauthorized = (error: unknown): boolean => codeOf(error) === 401;
export const isInvalid = (error: unknown): boolean => codeOf(error) === 422;
export const isAlreadyExists = (error: unknown): boolean => error instanceof KubeApiError && error.code === 409 && error.reason === 'AlreadyExists';
export const isConnectionError = (error: unknown): error is KubeConnectionError => error instanceof KubeConnectionError;

/** An error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
