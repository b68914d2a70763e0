import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { formatFieldError, isKindName, validate } from '../src/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

function load(folder: string): { name: string; text: string; object: { kind?: unknown } }[] {
  return readdirSync(join(fixtures, folder))
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(fixtures, folder, file), 'utf8');
      return { name: basename(file, '.yaml'), text, object: parse(text) as { kind?: unknown } };
    });
}

function kindOf(object: { kind?: unknown }) {
  if (!isKindName(object.kind)) throw new Error(`fixture has no promfleet kind: ${String(object.kind)}`);
  return object.kind;
}

describe('valid fixtures', () => {
  for (const { name, object } of load('valid')) {
    it(`${name} is accepted, with defaults applied`, async () => {
      const result = validate(kindOf(object), object);
      expect(result.ok ? [] : result.errors.map(formatFieldError)).toEqual([]);
      if (result.ok) await expect(`${JSON.stringify(result.value, null, 2)}\n`).toMatchFileSnapshot(`golden/valid/${name}.json`);
    });
  }
});

describe('invalid fixtures', () => {
  const cases = load('invalid');

  it('cover every rule (at least 40 cases)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const { name, text, object } of cases) {
    it(`${name} is rejected with an error naming its field`, async () => {
      const expectedPath = /^# expect: (.+)$/m.exec(text)?.[1];
      expect(expectedPath, 'fixture must start with "# expect: <field path>"').toBeDefined();
      const result = validate(kindOf(object), object);
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(errors.map((error) => error.path)).toContain(expectedPath);
      await expect(`${errors.map(formatFieldError).join('\n')}\n`).toMatchFileSnapshot(`golden/invalid/${name}.txt`);
    });
  }
});
