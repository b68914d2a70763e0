import { describe, expect, it } from 'vitest';

import { toStructuralSchema } from './structural.ts';

describe('toStructuralSchema', () => {
  it('drops additionalProperties: false beside properties and keeps typed maps', () => {
    const schema = toStructuralSchema({
      type: 'object',
      additionalProperties: false,
      properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } },
    });
    expect(schema).toEqual({ type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } } });
  });

  it('writes int-or-string the way the API server expects', () => {
    const schema = toStructuralSchema({
      'x-kubernetes-int-or-string': true,
      description: 'a quantity',
      pattern: '^[0-9]+$',
      anyOf: [{ type: 'string' }, { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }],
    });
    expect(schema).toEqual({
      description: 'a quantity',
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: '^[0-9]+$',
    });
  });

  it('drops the safe-integer bounds zod adds but keeps real ones', () => {
    expect(toStructuralSchema({ type: 'integer', minimum: -9007199254740991, maximum: 300 })).toEqual({ type: 'integer', maximum: 300 });
  });

  it('refuses references, unions and untyped nodes with the path', () => {
    expect(() => toStructuralSchema({ type: 'object', properties: { a: { $ref: '#/$defs/a' } } })).toThrow('(root).a: references');
    expect(() => toStructuralSchema({ type: 'object', properties: { b: { anyOf: [{ type: 'string' }] } } })).toThrow('(root).b: anyOf');
    expect(() => toStructuralSchema({ type: 'array', items: { description: 'x' } })).toThrow('(root)[]: every node');
  });
});
