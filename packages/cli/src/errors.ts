/** A server other than a Kubernetes API server (the hub's endpoints API) could not be reached. */
export class UnreachableError extends Error {
  readonly target: string;

  constructor(target: string, cause: unknown) {
    super(`cannot reach ${target}: ${describeCause(cause)}`, { cause });
    this.name = 'UnreachableError';
    this.target = target;
  }
}

function describeCause(cause: unknown): string {
  // fetch wraps the socket error: "fetch failed", caused by ECONNREFUSED and the like.
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as { code?: unknown }).code;
  return typeof code === 'string' && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message;
}
