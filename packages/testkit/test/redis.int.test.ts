import { connect } from 'node:net';

import { describe, expect, it } from 'vitest';

import { startRedis, type RedisServer } from '../src/index.ts';

/** Resolves when a TCP connection to the server succeeds; rejects with the socket error. */
function tcpConnect(server: RedisServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('startRedis', () => {
  it('serves on a loopback port, refuses connections while stopped, and serves again on the same port', async () => {
    await using redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${String(redis.port)}`);
    const client = redis.client();
    await client.set('greeting', 'hello');
    expect(await client.get('greeting')).toBe('hello');

    await redis.stop();
    expect(redis.running).toBe(false);
    await expect(tcpConnect(redis)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await redis.start();
    // The client made before the stop reconnects by itself; without persistence the data is gone.
    expect(await client.get('greeting')).toBeNull();
    await client.set('greeting', 'again');
    expect(await redis.client().get('greeting')).toBe('again');
  });

  it('keeps data across stop/start and a SIGKILL with persistence', async () => {
    await using redis = await startRedis({ persistence: true });
    const client = redis.client({ maxRetriesPerRequest: null });
    await client.set('kept', '1');
    await redis.restart();
    expect(await client.get('kept')).toBe('1');

    await client.set('kept', '2');
    const pid = redis.process?.pid;
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(() => process.kill(pid ?? 0, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await redis.start();
    expect(redis.process?.pid).not.toBe(pid);
    expect(await client.get('kept')).toBe('2');
  });

  it('loses data on a SIGKILL without persistence', async () => {
    await using redis = await startRedis();
    await redis.client().set('volatile', '1');
    await redis.kill();
    await redis.start();
    expect(await redis.client().get('volatile')).toBeNull();
  });

  it('gives two servers different ports and data', async () => {
    await using first = await startRedis();
    await using second = await startRedis();
    expect(first.port).not.toBe(second.port);
    await first.client().set('where', 'first');
    expect(await second.client().get('where')).toBeNull();
  });
});
