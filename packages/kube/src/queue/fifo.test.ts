import { describe, expect, it } from 'vitest';

import { Fifo } from './fifo.ts';

describe('Fifo', () => {
  it('hands items out in order, across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift() ?? -1);
    }
    while (fifo.size > 0) out.push(fifo.shift() ?? -1);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
  });

  it('clears', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.clear();
    expect(fifo.size).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
