import { createServer } from 'node:net';

/**
 * A loopback port that is free right now. Another process may take it before we bind it, so
 * callers that start servers retry with a new port when the server fails to listen.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('could not allocate a loopback port');
  return address.port;
}
