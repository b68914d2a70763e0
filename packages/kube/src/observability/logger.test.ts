import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLogger } from './logger.ts';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the level name and component', () => {
    const { stream, lines } = capture();
    createLogger({ name: 'promfleet-hub', destination: stream }).child({ controller: 'members', object: 'eu' }).info({ reconcileID: 'r1' }, 'reconciled');
    expect(lines()[0]).toMatchObject({ level: 'info', name: 'promfleet-hub', controller: 'members', object: 'eu', reconcileID: 'r1', msg: 'reconciled' });
  });

  it('never writes tokens, Secret data or kubeconfigs', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ name: 't', destination: stream });
    logger.info(
      {
        token: 'sekret-1',
        secret: { data: { 'objstore.yml': 'sekret-2' } },
        user: { token: 'sekret-3' },
        kubeconfig: 'sekret-4',
        request: { headers: { authorization: 'Bearer sekret-5' } },
      },
      'x',
    );
    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/sekret/);
    expect(text).toContain('[redacted]');
  });
});
