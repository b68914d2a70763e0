/**
 * The outcome of a Kubernetes request expected to be refused: the HTTP status the client's error
 * carries (401, 403, 404…), or 'ok' when it succeeded. Other errors (network) are rethrown.
 */
export async function statusOf(request: () => Promise<unknown>): Promise<number | 'ok'> {
  try {
    await request();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  }
}
