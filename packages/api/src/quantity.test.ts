import { describe, expect, it } from 'vitest';

import { quantityBytes } from './quantity.ts';

describe('quantityBytes', () => {
  it('reads binary, decimal and exponent quantities', () => {
    expect(quantityBytes('1Gi')).toBe(2 ** 30);
    expect(quantityBytes('1024Mi')).toBe(2 ** 30);
    expect(quantityBytes('1G')).toBe(1e9);
    expect(quantityBytes('1e3')).toBe(1000);
    expect(quantityBytes(5)).toBe(5);
    expect(quantityBytes('1.5Ki')).toBe(1536);
    expect(quantityBytes('lots')).toBeUndefined();
    expect(quantityBytes('1ki')).toBeUndefined();
  });
});
