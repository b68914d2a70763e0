import { describe, expect, it } from 'vitest';

import { realClock } from './clock.ts';

describe('realClock', () => {
  it('unrefs its timers so that a queue never keeps the process alive', () => {
    const timer = realClock.setTimeout(() => undefined, 60_000);
    try {
      expect((timer as NodeJS.Timeout).hasRef()).toBe(false);
    } finally {
      realClock.clearTimeout(timer);
    }
  });

  it('never goes backwards', () => {
    const first = realClock.now();
    expect(realClock.now()).toBeGreaterThanOrEqual(first);
  });
});
