import { describe, expect, it } from 'vitest';

import { ContentDigest, LocalView } from './local-view.ts';

const digestOf = (entries: readonly (readonly [string, string])[]): string => {
  const digest = new ContentDigest();
  for (const [key, encoded] of entries) digest.set(key, encoded);
  return digest.revision();
};

describe('ContentDigest', () => {
  it('depends on the content only: not on the order sets came in, nor on the states in between', () => {
    const content = [
      ['a/x', '[1]'],
      ['b/y', '[2]'],
      ['c/z', '[3]'],
    ] as const;
    const walked = new ContentDigest();
    walked.set('c/z', '[0]');
    walked.set('b/y', '[2]');
    walked.revision();
    walked.set('gone/w', '[9]');
    walked.set('a/x', '[1]');
    walked.revision();
    walked.delete('gone/w');
    walked.set('c/z', '[3]');
    expect(walked.revision()).toBe(digestOf(content));
    expect(digestOf([...content].reverse())).toBe(digestOf(content));
  });

  it('changes with any key or record', () => {
    const base = digestOf([['a/x', '[1]']]);
    expect(digestOf([['a/x', '[2]']])).not.toBe(base);
    expect(digestOf([['a/y', '[1]']])).not.toBe(base);
    expect(
      digestOf([
        ['a/x', '[1]'],
        ['b/y', '[]'],
      ]),
    ).not.toBe(base);
  });

  it('re-digests a changed set in place without going wrong across many changes', () => {
    const digest = new ContentDigest();
    const held = new Map<string, string>();
    for (let i = 0; i < 500; i++) {
      const key = `ns/set-${String(i % 37)}`;
      if (i % 11 === 0) {
        digest.delete(key);
        held.delete(key);
      } else {
        digest.set(key, `[${String(i)}]`);
        held.set(key, `[${String(i)}]`);
      }
      if (i % 7 === 0) expect(digest.revision()).toBe(digestOf([...held]));
    }
    expect(digest.revision()).toBe(digestOf([...held]));
  });
});

describe('LocalView', () => {
  it('makes no change for a write of what it holds, and serves the revision of nothing when emptied', () => {
    const view = new LocalView();
    const empty = view.revision;
    const record = { dnsName: 'query.example.com', recordType: 'A' as const, targets: ['192.0.2.10'], ttl: 30 };
    expect(view.put({ namespace: 'ns', name: 'x', endpoints: [record] })).toBe(true);
    // Equal records, another object with its keys in another order: no change.
    expect(view.put({ namespace: 'ns', name: 'x', endpoints: [{ ttl: 30, targets: ['192.0.2.10'], recordType: 'A', dnsName: 'query.example.com' }] })).toBe(
      false,
    );
    expect(view.seq).toBe(1);
    expect(view.apply({ seq: 2, namespace: 'ns', name: 'x', endpoints: null })).toBe(true);
    expect(view.revision).toBe(empty);
    expect(view.changesSince(empty)).toEqual([]);
  });
});
