import { describe, expect, it } from 'vitest';

import { PendingWork } from './pending-work.ts';

describe('PendingWork', () => {
  it('collects the members whose status changed until taken, and then starts afresh', () => {
    const work = new PendingWork();
    work.member('ns/a', 'eu');
    work.member('ns/a', 'us');
    work.member('ns/a', 'eu');
    work.member('ns/b', 'ap');
    expect(work.take('ns/a')).toEqual({ full: false, members: new Set(['eu', 'us']) });
    expect(work.take('ns/b')).toEqual({ full: false, members: new Set(['ap']) });
    // Taken: a reconcile nobody asked for (a requeue, a retry) is a full pass.
    expect(work.take('ns/a')).toEqual({ full: true, members: new Set() });
  });

  it('lets any other change turn the next reconcile into a full pass', () => {
    const work = new PendingWork();
    work.member('ns/a', 'eu');
    work.full('ns/a');
    work.member('ns/a', 'us');
    expect(work.take('ns/a')).toMatchObject({ full: true });
  });
});
