export { HUB_NAMESPACE, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from '@promfleet/testkit';

/** Polls `probe` until it returns something; fails naming `what` (and the last error) after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
