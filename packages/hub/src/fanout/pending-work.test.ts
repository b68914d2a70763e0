import { describe, expect, it } from 'vitest';

import { PendingWork } from './pending-work.ts';

const NOW = 1_000_000;

describe('PendingWork', () => {
  it('collects the members whose status changed until taken, and then starts afresh', () => {
    const work = new PendingWork();
    work.member('ns/a', 'eu');
    work.member('ns/a', 'us');
    work.member('ns/a', 'eu');
    work.member('ns/b', 'ap');
    expect(work.take('ns/a', NOW)).toEqual({ full: false, members: new Set(['eu', 'us']) });
    expect(work.take('ns/b', NOW)).toEqual({ full: false, members: new Set(['ap']) });
    // Taken: a wake-up for changes an earlier reconcile took in is no work, not a full pass.
    expect(work.take('ns/a', NOW)).toEqual({ full: false, members: new Set() });
  });

  it('lets any other change turn the next reconcile into a full pass', () => {
    const work = new PendingWork();
    work.member('ns/a', 'eu');
    work.full('ns/a');
    work.member('ns/a', 'us');
    expect(work.take('ns/a', NOW)).toMatchObject({ full: true });
    expect(work.take('ns/a', NOW)).toMatchObject({ full: false });
  });

  it('makes a full pass due at a deadline, the earliest standing, and hands it to the first reconcile at or after it', () => {
    const work = new PendingWork();
    work.fullAt('ns/a', NOW + 5_000);
    work.fullAt('ns/a', NOW + 2_000);
    work.fullAt('ns/a', NOW + 9_000);
    expect(work.dueIn('ns/a', NOW)).toBe(2_000);
    expect(work.dueIn('ns/b', NOW)).toBeUndefined();
    // Before it: member work alone, and the deadline still stands.
    work.member('ns/a', 'eu');
    expect(work.take('ns/a', NOW + 1_999)).toEqual({ full: false, members: new Set(['eu']) });
    expect(work.dueIn('ns/a', NOW + 1_999)).toBe(1);
    // At it: a full pass, which takes the deadline with it.
    expect(work.take('ns/a', NOW + 2_000)).toEqual({ full: true, members: new Set() });
    expect(work.dueIn('ns/a', NOW + 2_000)).toBeUndefined();
    // A full pass asked for by a change takes a deadline not yet due as well: the pass finds its own again.
    work.fullAt('ns/a', NOW + 60_000);
    work.full('ns/a');
    expect(work.take('ns/a', NOW)).toMatchObject({ full: true });
    expect(work.dueIn('ns/a', NOW)).toBeUndefined();
  });

  it('forgets a key whole', () => {
    const work = new PendingWork();
    work.full('ns/a');
    work.fullAt('ns/a', NOW);
    work.forget('ns/a');
    expect(work.take('ns/a', NOW)).toEqual({ full: false, members: new Set() });
    expect(work.dueIn('ns/a', NOW)).toBeUndefined();
  });
});
