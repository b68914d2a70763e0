import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';

import { LatestWrites } from './latest-writes.ts';

/** A write that ends only when the test says so, recording what it was asked to write. */
function gatedWrites() {
  const sent: string[] = [];
  const gates: PromiseWithResolvers<undefined>[] = [];
  const write = (state: string) => {
    sent.push(state);
    const gate = Promise.withResolvers<undefined>();
    gates.push(gate);
    return gate.promise;
  };
  return { sent, gates, write };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LatestWrites', () => {
  it('writes the newest state after the one in flight, and never the states it replaced', async () => {
    const writes = new LatestWrites<string>(pLimit(4));
    const { sent, gates, write } = gatedWrites();
    const first = writes.post('a', 'a1', write);
    await turn();
    const second = writes.post('a', 'a2', write);
    const third = writes.post('a', 'a3', write);
    expect(writes.pending('a')).toBe('a3');
    await turn();
    expect(sent).toEqual(['a1']);
    gates[0]?.resolve(undefined);
    await first;
    await turn();
    expect(sent).toEqual(['a1', 'a3']);
    gates[1]?.resolve(undefined);
    // a2 was replaced before its turn: it is done when a3 is.
    await Promise.all([second, third]);
    expect(writes.pending('a')).toBeUndefined();
    await writes.settled('a');
  });

  it('lets one key write while another key waits for its own write in flight', async () => {
    const writes = new LatestWrites<string>(pLimit(4));
    const { sent, gates, write } = gatedWrites();
    void writes.post('a', 'a1', write);
    void writes.post('a', 'a2', write);
    const b = writes.post('b', 'b1', write);
    await turn();
    expect(sent).toEqual(['a1', 'b1']);
    gates[1]?.resolve(undefined);
    await b;
    expect([...writes.entries()]).toEqual([['a', 'a2']]);
    gates[0]?.resolve(undefined);
    await turn();
    gates[2]?.resolve(undefined);
    await writes.settled('a');
    expect(sent).toEqual(['a1', 'b1', 'a2']);
    expect([...writes.entries()]).toEqual([]);
  });

  it('rejects whoever waited for a failed write, goes on with the next state, and settles either way', async () => {
    const writes = new LatestWrites<string>(pLimit(4));
    const { sent, gates, write } = gatedWrites();
    const failing = writes.post('a', 'a1', write);
    await turn();
    const next = writes.post('a', 'a2', write);
    gates[0]?.reject(new Error('etcd timeout'));
    await expect(failing).rejects.toThrow('etcd timeout');
    await turn();
    expect(sent).toEqual(['a1', 'a2']);
    gates[1]?.resolve(undefined);
    await next;
    await writes.settled('a');
  });

  it('holds to the limit shared by every key', async () => {
    const writes = new LatestWrites<string>(pLimit(2));
    const { sent, gates, write } = gatedWrites();
    const all = ['a', 'b', 'c'].map((key) => writes.post(key, `${key}1`, write));
    await turn();
    expect(sent).toEqual(['a1', 'b1']);
    gates[0]?.resolve(undefined);
    await all[0];
    await turn();
    expect(sent).toEqual(['a1', 'b1', 'c1']);
    gates[1]?.resolve(undefined);
    gates[2]?.resolve(undefined);
    await Promise.all(all);
  });

  it('drops a waiting state that is forgotten, telling its waiters it is done', async () => {
    const writes = new LatestWrites<string>(pLimit(4));
    const { sent, gates, write } = gatedWrites();
    void writes.post('a', 'a1', write);
    const dropped = writes.post('a', 'a2', write);
    writes.forget('a');
    await dropped;
    expect(writes.pending('a')).toBe('a1');
    gates[0]?.resolve(undefined);
    await writes.settled('a');
    expect(sent).toEqual(['a1']);
  });
});
