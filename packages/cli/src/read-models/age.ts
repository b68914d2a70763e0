/** `45s`, `12m`, `3h`, `5d`: how kubectl shows an age, to the largest whole unit. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${String(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${String(minutes)}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${String(hours)}h`;
  return `${String(Math.floor(hours / 24))}d`;
}

/** Milliseconds from `now` back to an RFC 3339 time, or undefined when absent or unparsable. */
export function since(time: string | undefined, now: Date): number | undefined {
  if (time === undefined) return undefined;
  const at = Date.parse(time);
  return Number.isNaN(at) ? undefined : now.getTime() - at;
}
