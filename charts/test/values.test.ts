import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { HUB_FLAGS } from '@promfleet/hub';
import { LOG_LEVELS } from '@promfleet/kube/observability';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { CHART_NAMES, CHARTS_DIRECTORY } from '../src/crd-copies.ts';

interface Schema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
}

const read = (chart: string, file: string): string => readFileSync(join(CHARTS_DIRECTORY, chart, file), 'utf8');

/** Dotted paths of the values the schema describes, down to objects it leaves open. */
function leaves(schema: Schema, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    if (prefix === '' && key === 'global') return [];
    const path = prefix ? `${prefix}.${key}` : key;
    return child.properties ? leaves(child, path) : [path];
  });
}

function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
}

/** The README's values table: key → default as written. */
function documented(readme: string): Map<string, string> {
  return new Map([...readme.matchAll(/^\| `([^`]+)` \| `(.*?)` \| .+ \|$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

describe.each(CHART_NAMES)('%s values', (chart) => {
  const schema = JSON.parse(read(chart, 'values.schema.json')) as Schema;
  const values = parse(read(chart, 'values.yaml')) as Record<string, unknown>;

  it('are valid against values.schema.json, which describes every value', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    const undescribed: string[] = [];
    const walk = (node: Schema, path: string): void => {
      if (!node.description) undescribed.push(path);
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${key}` : key);
    };
    for (const [key, child] of Object.entries(schema.properties ?? {})) walk(child, key);
    expect(undescribed).toEqual([]);
  });

  it('are all in the README table, with the defaults of values.yaml', () => {
    const table = documented(read(chart, 'README.md'));
    expect([...table.keys()].sort()).toEqual(leaves(schema).sort());
    for (const [key, written] of table) expect(JSON.parse(written), key).toEqual(valueAt(values, key) ?? '');
  });

  it('offer exactly the log levels the binaries accept', () => {
    expect(schema.properties?.logLevel?.enum).toEqual([...LOG_LEVELS]);
  });
});

describe('promfleet-hub member health values', () => {
  const values = parse(read('promfleet-hub', 'values.yaml')) as { members: Record<string, string> };

  it("default to the binary's own defaults, so the chart runs the hub as documented", () => {
    expect(values.members).toMatchObject({
      probeInterval: HUB_FLAGS['member-probe-interval'].default,
      reviewInterval: HUB_FLAGS['member-review-interval'].default,
      offlineAfter: HUB_FLAGS['member-offline-after'].default,
    });
  });
});
